#include "vision/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

bool is_image_name(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

bool hidden(const fs::path& path) {
  return path.filename().string().starts_with(".");
}

// The image files directly in a folder, sorted by name.
std::vector<std::string> images_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && !hidden(entry.path()) && is_image_name(entry.path())) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// labels.txt: "FILE LABEL" per line, the label being the rest of the line; blank lines skipped.
std::map<std::string, std::string> read_labels(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw_input_error(file.string(), ": cannot read");
  std::map<std::string, std::string> labels;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    size_t gap = line.find_first_of(" \t");
    size_t label = gap == std::string::npos ? gap : line.find_first_not_of(" \t", gap);
    if (label == std::string::npos) {
      throw_input_error(file.string(), ":", number, ": expected 'FILE LABEL', got '", line, "'");
    }
    if (!labels.emplace(line.substr(0, gap), line.substr(label)).second) {
      throw_input_error(file.string(), ":", number, ": '", line.substr(0, gap),
                        "' is listed twice");
    }
  }
  return labels;
}

// Takes the classes in turn, so that a prefix of the list covers them evenly.
std::vector<FolderImage> interleave(const std::vector<std::vector<FolderImage>>& classes,
                                    int64_t max_images) {
  std::vector<FolderImage> out;
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (const auto& images : classes) {
      if (i >= images.size()) continue;
      any = true;
      if (max_images > 0 && int64_t(out.size()) == max_images) return out;
      out.push_back(images[i]);
    }
    if (!any) return out;
  }
}

std::vector<FolderImage> read_folder(const std::string& dir, int64_t max_images) {
  const fs::path root(dir);
  std::error_code error;
  if (!fs::is_directory(root, error)) throw_input_error(dir, ": not a folder");
  const std::vector<std::string> top = images_in(root);

  std::vector<fs::path> subfolders;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && !hidden(entry.path())) subfolders.push_back(entry.path());
  }
  std::sort(subfolders.begin(), subfolders.end());
  std::vector<std::vector<FolderImage>> classes;
  for (const fs::path& sub : subfolders) {
    std::vector<FolderImage> images;
    for (const std::string& name : images_in(sub)) {
      images.push_back({(sub / name).string(), sub.filename().string()});
    }
    if (!images.empty()) classes.push_back(std::move(images));
  }

  if (!classes.empty() && !top.empty()) {
    throw_input_error(dir, ": holds images both directly (", top.front(),
                      ") and in class subfolders; expected one layout");
  }
  if (classes.empty()) {
    if (top.empty())
      throw_input_error(dir, ": no .png, .jpg or .jpeg images in it or its subfolders");
    const fs::path labels_file = root / "labels.txt";
    const bool labelled = fs::exists(labels_file);
    const auto labels = labelled ? read_labels(labels_file) : std::map<std::string, std::string>{};
    std::vector<FolderImage> images;
    for (const std::string& name : top) {
      auto it = labels.find(name);
      if (labelled && it == labels.end()) {
        throw_input_error(labels_file.string(), ": has no label for '", name, "'");
      }
      images.push_back({(root / name).string(), labelled ? it->second : ""});
    }
    classes.push_back(std::move(images));
  }
  return interleave(classes, max_images);
}

}  // namespace

std::vector<FolderImage> read_image_folder(const std::string& dir, int64_t max_images) {
  try {
    return read_folder(dir, max_images);
  } catch (const fs::filesystem_error& e) {  // an unreadable subfolder, say
    throw_input_error(dir, ": cannot list it: ", e.what());
  }
}

}  // namespace massact
