// libFuzzer target for the C3D reader: any input must either parse or throw
// hl::Error; every other exception escapes so the fuzzer reports it.

#include <cstddef>
#include <cstdint>

#include "core/c3d.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const hl::Recording rec = hl::ParseC3d({data, size}, "fuzz.c3d");
    // Touch what the reader produced so sanitizers see every sample.
    volatile double sum = 0;
    for (const hl::Sample& s : rec.points.samples()) sum = sum + s.position_m.sum();
    for (float v : rec.analog.values) sum = sum + v;
  } catch (const hl::Error&) {
  }
  return 0;
}
