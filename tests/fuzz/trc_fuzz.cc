// libFuzzer target for the TRC reader: any bytes either parse or throw
// hl::Error; a parsed recording must also serialize and parse back.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/trc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const hl::Recording rec = hl::ParseTrc(text, "fuzz.trc");
    // Labels read from a file may be ones the writer refuses (hl::Error),
    // but whatever it writes must read back.
    const hl::Recording back = hl::ParseTrc(hl::SerializeTrc(rec), "fuzz2.trc");
    if (back.points.num_frames() != rec.points.num_frames() ||
        back.points.labels() != rec.points.labels()) {
      __builtin_trap();
    }
  } catch (const hl::Error&) {
  }
  return 0;
}
