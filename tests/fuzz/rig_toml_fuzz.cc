// libFuzzer target for the TOML rig reader (core/toml + core/rig): any input
// must parse or throw hl::Error. A rig that parses must survive a write and
// re-read unchanged, or the target aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/rig.h"
#include "core/toml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // The generic reader first: it accepts more than a rig.
    const hl::TomlDocument doc = hl::ParseToml(text, "fuzz.toml");
    volatile size_t n = 0;
    for (const auto& t : doc.tables) n = n + t.entries.size();
  } catch (const hl::Error&) {
  }
  hl::Rig rig;
  try {
    rig = hl::ParseRigToml(text, "fuzz.toml");
  } catch (const hl::Error&) {
    return 0;
  }
  const hl::Rig back = hl::ParseRigToml(hl::SerializeRigToml(rig), "again.toml");
  if (back.cameras.size() != rig.cameras.size() || back.adjusted != rig.adjusted ||
      back.error_px != rig.error_px) {
    std::abort();
  }
  for (size_t i = 0; i < rig.cameras.size(); ++i) {
    const hl::Camera& x = rig.cameras[i];
    const hl::Camera& y = back.cameras[i];
    if (x.name != y.name || x.fx != y.fx || x.cy != y.cy || x.dist != y.dist ||
        x.cam_from_world.translation != y.cam_from_world.translation) {
      std::abort();
    }
  }
  return 0;
}
