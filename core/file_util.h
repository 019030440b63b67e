#pragma once

// Whole-file reads and atomic writes that name the file in every error.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

// Reads a whole file. Throws hl::Error naming `path` when it is missing,
// unreadable or larger than `max_bytes`.
std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path,
                                   uint64_t max_bytes = uint64_t{8} << 30);
std::string ReadFileText(const std::filesystem::path& path, uint64_t max_bytes = uint64_t{1} << 30);

// Writes to `path.tmp` then renames, so a reader never sees half a file and a
// failed write leaves the previous file in place.
void WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes);

// Throws Error naming `path` when a file cannot be written there (no folder,
// no permission, a folder of that name); creates and removes a probe beside it.
// For commands that write several outputs after long work: check them all first.
void CheckWritable(const std::filesystem::path& path);

// Lower-case extension without the dot ("c3d", "trc", "csv", "yml", ...).
std::string LowerExtension(const std::filesystem::path& path);

}  // namespace hl
