// libFuzzer target for the marker set reader (core/yaml_lite +
// core/marker_set): any input must parse or throw hl::Error. A set that
// parses must write and read back identically, or the target aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/marker_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hl::MarkerSet set;
  try {
    set = hl::ParseMarkerSet(text, "fuzz.yml");
  } catch (const hl::Error&) {
    return 0;
  }
  const hl::MarkerSet back = hl::ParseMarkerSet(hl::SerializeMarkerSet(set), "again.yml");
  if (back.dictionary_name != set.dictionary_name || back.dictionary_id != set.dictionary_id ||
      back.default_length_m != set.default_length_m || back.markers.size() != set.markers.size()) {
    std::abort();
  }
  for (size_t i = 0; i < set.markers.size(); ++i) {
    if (back.markers[i].id != set.markers[i].id ||
        back.markers[i].segment != set.markers[i].segment ||
        back.markers[i].length_m != set.markers[i].length_m) {
      std::abort();
    }
  }
  return 0;
}
