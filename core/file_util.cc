#include "core/file_util.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/error.h"

namespace hl {
namespace fs = std::filesystem;

std::vector<uint8_t> ReadFileBytes(const fs::path& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw Error(path.string(), "no such file; check the path");
  }
  if (fs::is_directory(path, ec)) {
    throw Error(path.string(), "is a folder, expected a file");
  }
  const uint64_t size = fs::file_size(path, ec);
  if (ec) throw Error(path.string(), "cannot read its size: " + ec.message());
  if (size > max_bytes) {
    throw Error(path.string(), "file is " + std::to_string(size) + " bytes, larger than the " +
                                   std::to_string(max_bytes) + " bytes accepted here");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes(size);
  if (size > 0) in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) {
    throw Error(path.string(), "read fewer bytes than the file size; is it being written?");
  }
  return bytes;
}

std::string ReadFileText(const fs::path& path, uint64_t max_bytes) {
  std::vector<uint8_t> b = ReadFileBytes(path, max_bytes);
  return std::string(b.begin(), b.end());
}

void WriteFileAtomic(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error(path.string(), std::string("cannot write: ") + std::strerror(errno) +
                                     "; check the folder exists and is writable");
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);  // keeps the file it would have replaced, and no half copy
      throw Error(path.string(), "write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(path.string(), "cannot replace the file: " + ec.message());
  }
}

void CheckWritable(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw Error(path.string(), "is a folder; give a file name");
  }
  const fs::path probe = path.string() + ".hl-write-check";
  {
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error(path.string(), std::string("cannot write: ") + std::strerror(errno) +
                                     "; check the folder exists and is writable");
    }
  }
  fs::remove(probe, ec);
}

std::string LowerExtension(const fs::path& path) {
  std::string ext = path.extension().string();
  if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace hl
