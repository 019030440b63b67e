#pragma once

// Marker set: which ArUco ids are on which body segment.
//
//   dictionary: DICT_4X4_50        # any OpenCV predefined dictionary name
//   marker_length_m: 0.05          # outer black edge; per-marker length_m overrides
//   markers:
//     - {id: 0, segment: dowel}
//     - {id: 20, segment: knee_left, length_m: 0.04}
//
// Segments are those of drills.md: dowel, pelvis, knee_left, knee_right, head,
// thorax, bar, foot_left, foot_right.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

struct MarkerSpec {
  int id = -1;
  std::string segment;
  double length_m = 0.0;  // resolved: per-marker value or the default
};

struct MarkerSet {
  std::string dictionary_name;  // e.g. "DICT_4X4_50"
  int dictionary_id = -1;       // cv::aruco::PREDEFINED_DICTIONARY_NAME value
  double default_length_m = 0.0;
  std::vector<MarkerSpec> markers;

  // nullptr for an id not in the set.
  const MarkerSpec* Find(int id) const;
  // Marker ids on one segment, in file order.
  std::vector<int> IdsOfSegment(std::string_view segment) const;
  std::vector<std::string> Segments() const;  // distinct, in file order
};

// The segment names drills.md knows.
const std::vector<std::string>& KnownSegments();

// OpenCV predefined dictionary by name ("DICT_6X6_250"); -1 when unknown.
int DictionaryIdFromName(std::string_view name);
// Number of markers in a predefined dictionary (e.g. 250 for DICT_6X6_250).
int DictionarySize(int dictionary_id);

// Throws hl::Error naming the file (or `name`) and the problem: unknown
// dictionary, id outside the dictionary, duplicate id, unknown field,
// unknown segment, missing or non-positive length.
MarkerSet ReadMarkerSet(const std::filesystem::path& path);
MarkerSet ParseMarkerSet(std::string_view yaml_text, const std::string& name);
std::string SerializeMarkerSet(const MarkerSet& set);

}  // namespace hl
