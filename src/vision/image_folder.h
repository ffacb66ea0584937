// A folder of images to study, in one of the layouts image datasets ship in:
//   - class-named subfolders (D/cat/1.png, D/dog/2.jpg): each image labelled by its folder, the
//     layout of torchvision's ImageFolder and of ImageNet's validation set as usually unpacked;
//   - images directly in D, labelled by D/labels.txt (one "FILE LABEL" per line) or unlabelled.
// Files are PNG or JPEG by extension (.png, .jpg, .jpeg, any case); hidden files are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace massact {

struct FolderImage {
  std::string path;
  std::string label;  // empty when the folder has no labels
};

// The images in a stable order: sorted by name within a class, and the classes taken in turn
// (first image of each class, then the second of each, ...), so that the first max_images cover
// the classes evenly. max_images 0 takes them all. InputError names the folder or labels.txt
// line when the layout is not one of the above, or when it holds no image.
std::vector<FolderImage> read_image_folder(const std::string& dir, int64_t max_images);

}  // namespace massact
