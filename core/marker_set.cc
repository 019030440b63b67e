#include "core/marker_set.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <opencv2/aruco/dictionary.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/yaml_lite.h"

namespace hl {
namespace {

struct DictionaryInfo {
  const char* name;
  int id;
  int size;
};

// Sizes as cv::aruco documents them; the marker_set test checks every one
// against the bytesList of getPredefinedDictionary.
constexpr DictionaryInfo kDictionaries[] = {
    {"DICT_4X4_50", cv::aruco::DICT_4X4_50, 50},
    {"DICT_4X4_100", cv::aruco::DICT_4X4_100, 100},
    {"DICT_4X4_250", cv::aruco::DICT_4X4_250, 250},
    {"DICT_4X4_1000", cv::aruco::DICT_4X4_1000, 1000},
    {"DICT_5X5_50", cv::aruco::DICT_5X5_50, 50},
    {"DICT_5X5_100", cv::aruco::DICT_5X5_100, 100},
    {"DICT_5X5_250", cv::aruco::DICT_5X5_250, 250},
    {"DICT_5X5_1000", cv::aruco::DICT_5X5_1000, 1000},
    {"DICT_6X6_50", cv::aruco::DICT_6X6_50, 50},
    {"DICT_6X6_100", cv::aruco::DICT_6X6_100, 100},
    {"DICT_6X6_250", cv::aruco::DICT_6X6_250, 250},
    {"DICT_6X6_1000", cv::aruco::DICT_6X6_1000, 1000},
    {"DICT_7X7_50", cv::aruco::DICT_7X7_50, 50},
    {"DICT_7X7_100", cv::aruco::DICT_7X7_100, 100},
    {"DICT_7X7_250", cv::aruco::DICT_7X7_250, 250},
    {"DICT_7X7_1000", cv::aruco::DICT_7X7_1000, 1000},
    {"DICT_ARUCO_ORIGINAL", cv::aruco::DICT_ARUCO_ORIGINAL, 1024},
    {"DICT_APRILTAG_16h5", cv::aruco::DICT_APRILTAG_16h5, 30},
    {"DICT_APRILTAG_25h9", cv::aruco::DICT_APRILTAG_25h9, 35},
    {"DICT_APRILTAG_36h10", cv::aruco::DICT_APRILTAG_36h10, 2320},
    {"DICT_APRILTAG_36h11", cv::aruco::DICT_APRILTAG_36h11, 587},
};

const DictionaryInfo* FindDictionary(int id) {
  for (const auto& d : kDictionaries) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string JoinKnownSegments() {
  std::string out;
  for (const auto& s : KnownSegments()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

[[noreturn]] void FailAt(const std::string& name, int line, const std::string& what) {
  throw Error(name, "line " + std::to_string(line) + ": " + what);
}

double ReadLength(const YamlNode& node, const std::string& name, const std::string& what) {
  const double v = YamlNumber(node, name, what);
  if (!(v > 0)) FailAt(name, node.line, what + " must be positive (metres), not " + node.scalar);
  if (v > 10.0) {
    FailAt(name, node.line,
           what + " is " + node.scalar + " m; lengths are in metres (0.05 = 5 cm)");
  }
  return v;
}

MarkerSpec ReadMarker(const YamlNode& node, const MarkerSet& set, const std::string& name) {
  if (!node.IsMap())
    FailAt(name, node.line, "each marker must be a map such as {id: 0, segment: dowel}");
  MarkerSpec m;
  for (size_t i = 0; i < node.keys.size(); ++i) {
    const std::string& key = node.keys[i];
    if (key != "id" && key != "segment" && key != "length_m") {
      FailAt(name, node.items[i].line,
             "unknown marker field '" + key + "'; valid fields: id, segment, length_m");
    }
  }
  const YamlNode* id = node.Find("id");
  if (!id) FailAt(name, node.line, "a marker without an id");
  const DictionaryInfo* dict = FindDictionary(set.dictionary_id);
  const int64_t id_value = YamlInteger(*id, name, "marker id");
  if (id_value < 0 || id_value >= dict->size) {
    FailAt(name, id->line,
           "marker id " + id->scalar + " is outside " + dict->name + " (ids 0 to " +
               std::to_string(dict->size - 1) + ")");
  }
  m.id = static_cast<int>(id_value);
  const std::string what = "marker " + std::to_string(m.id);
  const YamlNode* segment = node.Find("segment");
  if (!segment) FailAt(name, node.line, what + " has no segment");
  m.segment = YamlString(*segment, name, what + " segment");
  const auto& known = KnownSegments();
  if (std::find(known.begin(), known.end(), m.segment) == known.end()) {
    FailAt(name, segment->line,
           what + ": unknown segment '" + m.segment + "'; segments are " + JoinKnownSegments());
  }
  if (const YamlNode* length = node.Find("length_m")) {
    m.length_m = ReadLength(*length, name, what + " length_m");
  } else if (set.default_length_m > 0) {
    m.length_m = set.default_length_m;
  } else {
    FailAt(name, node.line, what + " has no length: add length_m or a top-level marker_length_m");
  }
  return m;
}

}  // namespace

const std::vector<std::string>& KnownSegments() {
  static const std::vector<std::string> kSegments = {"dowel",      "pelvis",    "knee_left",
                                                     "knee_right", "head",      "thorax",
                                                     "bar",        "foot_left", "foot_right"};
  return kSegments;
}

int DictionaryIdFromName(std::string_view name) {
  const std::string lower = Lower(name);
  for (const auto& d : kDictionaries) {
    if (Lower(d.name) == lower) return d.id;
  }
  return -1;
}

int DictionarySize(int dictionary_id) {
  const DictionaryInfo* d = FindDictionary(dictionary_id);
  return d ? d->size : 0;
}

const MarkerSpec* MarkerSet::Find(int id) const {
  for (const MarkerSpec& m : markers) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

std::vector<int> MarkerSet::IdsOfSegment(std::string_view segment) const {
  std::vector<int> ids;
  for (const MarkerSpec& m : markers) {
    if (m.segment == segment) ids.push_back(m.id);
  }
  return ids;
}

std::vector<std::string> MarkerSet::Segments() const {
  std::vector<std::string> out;
  for (const MarkerSpec& m : markers) {
    if (std::find(out.begin(), out.end(), m.segment) == out.end()) out.push_back(m.segment);
  }
  return out;
}

MarkerSet ParseMarkerSet(std::string_view yaml_text, const std::string& name) {
  const YamlNode root = ParseYamlLite(yaml_text, name);
  if (!root.IsMap()) {
    throw Error(name,
                "not a marker set: expected 'dictionary:', 'marker_length_m:' and 'markers:'");
  }
  for (size_t i = 0; i < root.keys.size(); ++i) {
    const std::string& key = root.keys[i];
    if (key != "dictionary" && key != "marker_length_m" && key != "markers") {
      FailAt(name, root.items[i].line,
             "unknown field '" + key + "'; valid fields: dictionary, marker_length_m, markers");
    }
  }
  MarkerSet set;
  const YamlNode* dictionary = root.Find("dictionary");
  if (!dictionary) throw Error(name, "missing 'dictionary:' (e.g. dictionary: DICT_4X4_50)");
  const std::string dict_name = YamlString(*dictionary, name, "dictionary");
  set.dictionary_id = DictionaryIdFromName(dict_name);
  if (set.dictionary_id < 0) {
    FailAt(name, dictionary->line,
           "unknown dictionary '" + dict_name +
               "'; use an OpenCV name such as DICT_4X4_50, DICT_5X5_100, DICT_6X6_250, "
               "DICT_7X7_1000, DICT_ARUCO_ORIGINAL or DICT_APRILTAG_36h11");
  }
  set.dictionary_name = FindDictionary(set.dictionary_id)->name;
  if (const YamlNode* length = root.Find("marker_length_m")) {
    set.default_length_m = ReadLength(*length, name, "marker_length_m");
  }
  const YamlNode* markers = root.Find("markers");
  if (!markers || !markers->IsSequence() || markers->items.empty()) {
    throw Error(name, "needs a 'markers:' list, e.g. '  - {id: 0, segment: dowel}'");
  }
  std::map<int, int> line_of_id;
  for (const YamlNode& item : markers->items) {
    MarkerSpec m = ReadMarker(item, set, name);
    const auto [it, inserted] = line_of_id.emplace(m.id, item.line);
    if (!inserted) {
      FailAt(name, item.line,
             "marker id " + std::to_string(m.id) + " appears twice (also on line " +
                 std::to_string(it->second) + "); each id may sit on one segment only");
    }
    set.markers.push_back(std::move(m));
  }
  return set;
}

MarkerSet ReadMarkerSet(const std::filesystem::path& path) {
  return ParseMarkerSet(ReadFileText(path, uint64_t{16} << 20), path.string());
}

std::string SerializeMarkerSet(const MarkerSet& set) {
  std::string out = "dictionary: " + YamlScalarText(set.dictionary_name) + "\n";
  if (set.default_length_m > 0)
    out += "marker_length_m: " + FormatDouble(set.default_length_m) + "\n";
  out += "markers:\n";
  for (const MarkerSpec& m : set.markers) {
    out += "  - {id: " + std::to_string(m.id) + ", segment: " + YamlScalarText(m.segment);
    if (m.length_m != set.default_length_m || set.default_length_m <= 0) {
      out += ", length_m: " + FormatDouble(m.length_m);
    }
    out += "}\n";
  }
  return out;
}

}  // namespace hl
