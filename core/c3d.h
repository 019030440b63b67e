#pragma once

// C3D reader and writer (https://www.c3d.org/docs/C3D_User_Guide.pdf).
//
// Reads any C3D: Intel, DEC or MIPS processor format; integer or float
// storage; POINT:UNITS mm, cm or m (points come out in metres); invalid
// samples (negative residual word); analog channels (kept, or skipped);
// LABELS2... blocks. Writes Intel, float storage, units mm.
//
// What real writers get wrong and the reader accepts:
//  - the parameter section starting with 0, 0 instead of 1, 0x50 (Qualisys,
//    Optotrak): the processor byte is what counts;
//  - a frame count (header and POINT:FRAMES) larger than the data (Optotrak
//    says 1149 frames and holds 29): when the data end cleanly on a frame
//    boundary (only zero padding after it) the data win, as in ezc3d. Data
//    that stop mid-frame are a cut file and throw hl::Error;
//  - empty or repeated labels: renamed ("POINT12", "LKNE_2"), never an error.
//
// Residual word (the 4th word of each point; a float holding the integer in
// float storage): negative = no sample; otherwise the low byte times
// |POINT:SCALE| is the residual and the high byte a mask of the cameras that
// saw the point (n_cameras = its popcount). HingeLab keeps residuals in
// pixels, so the writer sets POINT:SCALE = -q with the quantum
//   q = max(0.001, max_residual_px / 255)
// and stores round(residual_px / q): a residual read back is within q / 2 of
// the one written. The mask holds the lowest min(n_cameras, 7) bits, so
// n_cameras above 7 reads back as 7.
//
// More than 65535 frames: the header's frame words saturate at 65535,
// POINT:FRAMES is written as a float and TRIAL:ACTUAL_START_FIELD /
// ACTUAL_END_FIELD hold the 32-bit first/last frame as two 16-bit words; the
// reader uses these when the header is saturated.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/recording.h"

namespace hl {

struct C3dReadOptions {
  // Keep analog samples (otherwise only channel labels and rate are read).
  bool read_analog = true;
};

// How numbers are laid out in the file (parameter section byte 4 = 83 + n).
enum class C3dProcessor : uint8_t { kIntel = 1, kDec = 2, kMips = 3 };

// HingeLab writes the defaults; the other settings exist so tests can produce
// the files other systems write and check the reader against them.
struct C3dWriteOptions {
  // Byte order and float format of every number in the file.
  C3dProcessor processor = C3dProcessor::kIntel;
  // Store points as int16 times POINT:SCALE (> 0) instead of floats. The
  // scale is chosen so the largest coordinate and residual fit, which makes
  // it the position and residual resolution.
  bool integer_storage = false;
  // POINT:UNITS: "mm" or "m".
  std::string units = "mm";
  // When not empty (one per label), written to POINT:LABELS instead of the
  // recording's labels, e.g. to write the duplicate or empty labels some
  // systems produce.
  std::vector<std::string> point_labels;
};

Recording ReadC3d(const std::filesystem::path& path, const C3dReadOptions& options = {});
// `name` is used in error messages (normally the file path).
Recording ParseC3d(std::span<const uint8_t> bytes, const std::string& name,
                   const C3dReadOptions& options = {});

// Throws hl::Error naming the file (or "recording") when the recording cannot
// be stored in C3D (e.g. more than 65535 labels, a label over 255 chars).
void WriteC3d(const std::filesystem::path& path, const Recording& recording,
              const C3dWriteOptions& options = {});
std::string SerializeC3d(const Recording& recording, const C3dWriteOptions& options = {});

}  // namespace hl
