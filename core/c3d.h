#pragma once

// C3D reader and writer (https://www.c3d.org/docs/C3D_User_Guide.pdf).
//
// Reads any C3D: Intel, DEC or MIPS processor format; integer or float
// storage; POINT:UNITS mm or m (points come out in metres); invalid samples
// (negative residual word); analog channels (kept, or skipped); LABELS2...
// blocks. Writes Intel, float storage, units mm.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/recording.h"

namespace hl {

struct C3dReadOptions {
  // Keep analog samples (otherwise only channel labels and rate are read).
  bool read_analog = true;
};

Recording ReadC3d(const std::filesystem::path& path, const C3dReadOptions& options = {});
// `name` is used in error messages (normally the file path).
Recording ParseC3d(std::span<const uint8_t> bytes, const std::string& name,
                   const C3dReadOptions& options = {});

void WriteC3d(const std::filesystem::path& path, const Recording& recording);
std::string SerializeC3d(const Recording& recording);

}  // namespace hl
