#pragma once

// Byte-level encoding shared by the C3D reader and writer (internal to
// core/c3d*.cc). Intel: little-endian IEEE. MIPS: big-endian IEEE. DEC:
// little-endian integers and VAX F floats, which are an IEEE single with its
// two 16-bit halves swapped and an exponent bias 2 larger (value * 4).

#include <cstdint>
#include <cstring>
#include <string>

#include "core/c3d.h"

namespace hl::c3d {

inline constexpr size_t kBlockBytes = 512;
inline constexpr uint8_t kKey = 0x50;
inline constexpr uint8_t kProcessorBase = 83;

inline uint16_t LoadU16(const uint8_t* p, C3dProcessor proc) {
  if (proc == C3dProcessor::kMips) return static_cast<uint16_t>((p[0] << 8) | p[1]);
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

inline int16_t LoadI16(const uint8_t* p, C3dProcessor proc) {
  return static_cast<int16_t>(LoadU16(p, proc));
}

inline float LoadF32(const uint8_t* p, C3dProcessor proc) {
  uint32_t bits;
  if (proc == C3dProcessor::kIntel) {
    bits = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  } else if (proc == C3dProcessor::kMips) {
    bits = uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
  } else {
    bits = uint32_t{p[2]} | uint32_t{p[3]} << 8 | uint32_t{p[0]} << 16 | uint32_t{p[1]} << 24;
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return proc == C3dProcessor::kDec ? f * 0.25f : f;
}

// Writers into a buffer with room for the 2 or 4 bytes.
inline void PutU16(uint16_t v, C3dProcessor proc, uint8_t* p) {
  const uint8_t lo = static_cast<uint8_t>(v & 0xFF), hi = static_cast<uint8_t>(v >> 8);
  p[0] = proc == C3dProcessor::kMips ? hi : lo;
  p[1] = proc == C3dProcessor::kMips ? lo : hi;
}

inline void PutF32(float f, C3dProcessor proc, uint8_t* p) {
  if (proc == C3dProcessor::kDec) f *= 4.0f;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const uint8_t b[4] = {static_cast<uint8_t>(bits), static_cast<uint8_t>(bits >> 8),
                        static_cast<uint8_t>(bits >> 16), static_cast<uint8_t>(bits >> 24)};
  if (proc == C3dProcessor::kIntel) {
    p[0] = b[0], p[1] = b[1], p[2] = b[2], p[3] = b[3];
  } else if (proc == C3dProcessor::kMips) {
    p[0] = b[3], p[1] = b[2], p[2] = b[1], p[3] = b[0];
  } else {
    p[0] = b[2], p[1] = b[3], p[2] = b[0], p[3] = b[1];
  }
}

inline void AppendU16(uint16_t v, C3dProcessor proc, std::string* out) {
  uint8_t b[2];
  PutU16(v, proc, b);
  out->append(reinterpret_cast<const char*>(b), 2);
}

inline void AppendF32(float f, C3dProcessor proc, std::string* out) {
  uint8_t b[4];
  PutF32(f, proc, b);
  out->append(reinterpret_cast<const char*>(b), 4);
}

}  // namespace hl::c3d
