// Image folders: both layouts, the class interleaving that makes a prefix cover every class, and
// clear errors for the layouts massact does not read.
#include "vision/image_folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

std::vector<std::string> labels_of(const std::vector<FolderImage>& images) {
  std::vector<std::string> out;
  for (const auto& image : images)
    out.push_back(fs::path(image.path).filename().string() + ":" + image.label);
  return out;
}

std::string folder_error(const std::string& dir) {
  try {
    read_image_folder(dir, 0);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ImageFolder, ClassSubfoldersAreTakenInTurn) {
  const fs::path dir = testing::temp_dir();
  for (const char* f : {"dog/b.jpg", "dog/a.PNG", "cat/z.jpeg", "cat/.hidden.png", "cat/notes.txt",
                        "fish/c.png", "dog/c.png", "empty/readme.md"}) {
    touch(dir / f);
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(labels_of(read_image_folder(dir, 0)),
            (V{"z.jpeg:cat", "a.PNG:dog", "c.png:fish", "b.jpg:dog", "c.png:dog"}));
  EXPECT_EQ(labels_of(read_image_folder(dir, 2)), (V{"z.jpeg:cat", "a.PNG:dog"}));
}

TEST(ImageFolder, FlatFoldersUseLabelsTxtWhenPresent) {
  const fs::path dir = testing::temp_dir();
  touch(dir / "2.png");
  touch(dir / "1.jpg");
  using V = std::vector<std::string>;
  EXPECT_EQ(labels_of(read_image_folder(dir, 0)), (V{"1.jpg:", "2.png:"}));
  std::ofstream(dir / "labels.txt") << "1.jpg  tabby cat\r\n\n2.png\tgoldfish\n";
  EXPECT_EQ(labels_of(read_image_folder(dir, 0)), (V{"1.jpg:tabby cat", "2.png:goldfish"}));

  std::ofstream(dir / "labels.txt") << "1.jpg cat\n";
  EXPECT_CONTAINS(folder_error(dir), "labels.txt: has no label for '2.png'");
  std::ofstream(dir / "labels.txt") << "1.jpg cat\n2.png\n";
  EXPECT_CONTAINS(folder_error(dir), "labels.txt:2: expected 'FILE LABEL', got '2.png'");
  std::ofstream(dir / "labels.txt") << "1.jpg cat\n1.jpg dog\n";
  EXPECT_CONTAINS(folder_error(dir), "labels.txt:2: '1.jpg' is listed twice");
}

TEST(ImageFolder, OtherLayoutsAreRefused) {
  const fs::path dir = testing::temp_dir();
  EXPECT_CONTAINS(folder_error(dir), "no .png, .jpg or .jpeg images");
  EXPECT_CONTAINS(folder_error(dir / "absent"), "absent: not a folder");
  touch(dir / "top.png");
  touch(dir / "cat/a.png");
  EXPECT_CONTAINS(folder_error(dir),
                  "holds images both directly (top.png) and in class subfolders");
}

}  // namespace
}  // namespace massact
