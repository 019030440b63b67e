// libFuzzer target for the recording CSV reader: any bytes either parse or
// throw hl::Error; a parsed recording must write and read back unchanged in
// shape. The reader may fill up to ~4M cells from a tiny sparse file (missing
// frames); writing and re-reading that many rows under ASan took 17 s, past
// libFuzzer's per-input timeout, so the round trip is checked on smaller ones.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csv_recording.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const hl::Recording rec = hl::ParseCsvRecording(text, "fuzz.csv");
    constexpr long kRoundTripCells = 1L << 16;
    if (static_cast<long>(rec.points.num_frames()) * rec.points.num_labels() > kRoundTripCells) {
      return 0;
    }
    const hl::Recording back = hl::ParseCsvRecording(hl::SerializeCsvRecording(rec), "fuzz2.csv");
    if (back.points.num_frames() != rec.points.num_frames() ||
        back.points.labels() != rec.points.labels() ||
        back.points.first_frame() != rec.points.first_frame()) {
      __builtin_trap();
    }
    for (int f = 0; f < rec.points.num_frames(); ++f) {
      for (int l = 0; l < rec.points.num_labels(); ++l) {
        if (back.points.at(f, l).valid() != rec.points.at(f, l).valid()) __builtin_trap();
      }
    }
  } catch (const hl::Error&) {
  }
  return 0;
}
