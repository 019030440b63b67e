// libFuzzer target for the YAML rig reader (core/yaml_lite + core/rig): any
// input must parse or throw hl::Error. A rig that parses must survive a
// write and re-read (YAML and TOML) unchanged, or the target aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/rig.h"

namespace {

void ExpectSame(const hl::Rig& a, const hl::Rig& b) {
  if (a.cameras.size() != b.cameras.size() || a.adjusted != b.adjusted) std::abort();
  for (size_t i = 0; i < a.cameras.size(); ++i) {
    const hl::Camera& x = a.cameras[i];
    const hl::Camera& y = b.cameras[i];
    if (x.name != y.name || x.width != y.width || x.height != y.height || x.fx != y.fx ||
        x.fy != y.fy || x.cx != y.cx || x.cy != y.cy || x.rms_px != y.rms_px ||
        x.cam_from_world.translation != y.cam_from_world.translation) {
      std::abort();
    }
    if (x.cam_from_world.rotation.angularDistance(y.cam_from_world.rotation) > 1e-12) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hl::Rig rig;
  try {
    rig = hl::ParseRigYaml(text, "fuzz.yml");
  } catch (const hl::Error&) {
    return 0;
  }
  // Outside the try: a valid rig must always write and read back.
  ExpectSame(rig, hl::ParseRigYaml(hl::SerializeRigYaml(rig), "again.yml"));
  ExpectSame(rig, hl::ParseRigToml(hl::SerializeRigToml(rig), "again.toml"));
  return 0;
}
