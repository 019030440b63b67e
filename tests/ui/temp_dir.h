#pragma once

// A fresh, empty scratch folder for one viewer test under the build tree.

#include <filesystem>
#include <string>

namespace hl::test {

inline std::filesystem::path TempDir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(HL_BINARY_DIR) / "test_tmp" / "ui" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace hl::test
