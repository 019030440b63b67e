#include "core/marker_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <opencv2/aruco/dictionary.hpp>

#include "core/error.h"

namespace hl {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParseMarkerSet(text, "set.yml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void ExpectSameSet(const MarkerSet& a, const MarkerSet& b) {
  EXPECT_EQ(a.dictionary_name, b.dictionary_name);
  EXPECT_EQ(a.dictionary_id, b.dictionary_id);
  EXPECT_EQ(a.default_length_m, b.default_length_m);
  ASSERT_EQ(a.markers.size(), b.markers.size());
  for (size_t i = 0; i < a.markers.size(); ++i) {
    EXPECT_EQ(a.markers[i].id, b.markers[i].id);
    EXPECT_EQ(a.markers[i].segment, b.markers[i].segment);
    EXPECT_EQ(a.markers[i].length_m, b.markers[i].length_m);
  }
}

TEST(MarkerSetTest, DefaultStudioSetLoads) {
  const MarkerSet set = ReadMarkerSet(std::string(HL_SOURCE_DIR) + "/data/markersets/default.yml");
  EXPECT_EQ(set.dictionary_name, "DICT_4X4_50");
  EXPECT_EQ(set.dictionary_id, cv::aruco::DICT_4X4_50);
  EXPECT_EQ(set.default_length_m, 0.05);
  EXPECT_EQ(set.markers.size(), 32u);
  EXPECT_EQ(set.IdsOfSegment("dowel"), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(set.IdsOfSegment("pelvis"), (std::vector<int>{10, 11, 12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(set.IdsOfSegment("knee_left"), (std::vector<int>{20, 21, 24}));
  EXPECT_EQ(set.IdsOfSegment("knee_right"), (std::vector<int>{22, 23, 25}));
  EXPECT_EQ(set.IdsOfSegment("head"), (std::vector<int>{30}));
  EXPECT_EQ(set.IdsOfSegment("thorax"), (std::vector<int>{31, 32, 33, 34, 35}));
  EXPECT_EQ(set.IdsOfSegment("foot_left"), (std::vector<int>{40}));
  EXPECT_EQ(set.IdsOfSegment("foot_right"), (std::vector<int>{41}));
  EXPECT_EQ(set.IdsOfSegment("bar"), (std::vector<int>{44, 45}));
  EXPECT_TRUE(set.IdsOfSegment("elbow").empty());
  std::vector<std::string> segments = set.Segments(), known = KnownSegments();
  EXPECT_EQ(segments[0], "dowel");
  std::sort(segments.begin(), segments.end());
  std::sort(known.begin(), known.end());
  EXPECT_EQ(segments, known);
  EXPECT_EQ(set.Find(3)->length_m, 0.04);
  EXPECT_EQ(set.Find(12)->length_m, 0.08);
  EXPECT_EQ(set.Find(23)->length_m, 0.08);
  EXPECT_EQ(set.Find(17)->length_m, 0.08);
  EXPECT_EQ(set.Find(34)->length_m, 0.08);
  EXPECT_EQ(set.Find(45)->segment, "bar");
  EXPECT_EQ(set.Find(8), nullptr);
  ExpectSameSet(set, ParseMarkerSet(SerializeMarkerSet(set), "again.yml"));
}

TEST(MarkerSetTest, DesignDocExampleAndBlockMaps) {
  const MarkerSet set = ParseMarkerSet(R"(dictionary: DICT_4X4_50        # any OpenCV name
marker_length_m: 0.05          # outer black edge
markers:
  - {id: 0, segment: dowel}
  - {id: 1, segment: dowel}
  - {id: 10, segment: pelvis}
  - {id: 11, segment: pelvis}
  - {id: 20, segment: knee_left, length_m: 0.04}
  - {id: 21, segment: knee_right, length_m: 0.04}
  - id: 30
    segment: "head"
  -
    segment: 'thorax'
    id: 31
    length_m: 6.5e-2
)",
                                       "design.yml");
  ASSERT_EQ(set.markers.size(), 8u);
  EXPECT_EQ(set.Find(20)->length_m, 0.04);
  EXPECT_EQ(set.Find(11)->length_m, 0.05);
  EXPECT_EQ(set.Find(30)->segment, "head");
  EXPECT_EQ(set.Find(31)->segment, "thorax");
  EXPECT_EQ(set.Find(31)->length_m, 0.065);
  ExpectSameSet(set, ParseMarkerSet(SerializeMarkerSet(set), "again.yml"));
}

TEST(MarkerSetTest, RoundTripWithoutDefaultLength) {
  MarkerSet set;
  set.dictionary_name = "DICT_APRILTAG_36h11";
  set.dictionary_id = cv::aruco::DICT_APRILTAG_36h11;
  set.markers = {{586, "bar", 0.1 + 0.2}, {0, "foot_right", 1.0 / 3.0}};
  const std::string text = SerializeMarkerSet(set);
  EXPECT_EQ(text.find("marker_length_m"), std::string::npos) << text;
  ExpectSameSet(set, ParseMarkerSet(text, "april.yml"));
}

TEST(MarkerSetTest, EveryPredefinedDictionary) {
  const char* names[] = {"DICT_4X4_50",        "DICT_4X4_100",        "DICT_4X4_250",
                         "DICT_4X4_1000",      "DICT_5X5_50",         "DICT_5X5_100",
                         "DICT_5X5_250",       "DICT_5X5_1000",       "DICT_6X6_50",
                         "DICT_6X6_100",       "DICT_6X6_250",        "DICT_6X6_1000",
                         "DICT_7X7_50",        "DICT_7X7_100",        "DICT_7X7_250",
                         "DICT_7X7_1000",      "DICT_ARUCO_ORIGINAL", "DICT_APRILTAG_16h5",
                         "DICT_APRILTAG_25h9", "DICT_APRILTAG_36h10", "DICT_APRILTAG_36h11"};
  for (int id = 0; id < 21; ++id) {
    EXPECT_EQ(DictionaryIdFromName(names[id]), id) << names[id];
    const int size = cv::aruco::getPredefinedDictionary(id)->bytesList.rows;
    EXPECT_EQ(DictionarySize(id), size) << names[id];
  }
  EXPECT_EQ(DictionaryIdFromName("dict_6x6_250"), cv::aruco::DICT_6X6_250);
  EXPECT_EQ(DictionaryIdFromName("DICT_6X6_251"), -1);
  EXPECT_EQ(DictionaryIdFromName(""), -1);
  EXPECT_EQ(DictionarySize(-1), 0);
  EXPECT_EQ(DictionarySize(21), 0);
  // A lower-case name in a file comes back in OpenCV's spelling.
  EXPECT_EQ(ParseMarkerSet("dictionary: dict_apriltag_16h5\nmarkers:\n  - {id: 29, segment: head, "
                           "length_m: 0.1}\n",
                           "m.yml")
                .dictionary_name,
            "DICT_APRILTAG_16h5");
}

TEST(MarkerSetTest, ErrorsNameTheFileAndTheProblem) {
  const std::string head = "dictionary: DICT_4X4_50\nmarker_length_m: 0.05\nmarkers:\n";
  const std::pair<std::string, const char*> cases[] = {
      {"dictionary: DICT_9X9_50\nmarkers:\n  - {id: 0, segment: dowel}\n",
       "line 1: unknown dictionary 'DICT_9X9_50'; use an OpenCV name such as DICT_4X4_50"},
      {head + "  - {id: 50, segment: dowel}\n",
       "line 4: marker id 50 is outside DICT_4X4_50 (ids 0 to 49)"},
      {head + "  - {id: -1, segment: dowel}\n", "ids 0 to 49"},
      {head + "  - {id: 1.5, segment: dowel}\n", "marker id must be a whole number"},
      {head +
           "  - {id: 3, segment: dowel}\n  - {id: 4, segment: head}\n  - {id: 3, segment: bar}\n",
       "line 6: marker id 3 appears twice (also on line 4)"},
      {head + "  - {id: 3, segment: dowel, colour: red}\n",
       "unknown marker field 'colour'; valid fields: id, segment, length_m"},
      {head + "  - {id: 3, segment: elbow}\n",
       "marker 3: unknown segment 'elbow'; segments are dowel, pelvis, knee_left, knee_right, "
       "head, thorax, bar, foot_left, foot_right"},
      {head + "  - {id: 3}\n", "marker 3 has no segment"},
      {head + "  - {segment: dowel}\n", "a marker without an id"},
      {head + "  - {id: 3, segment: dowel, length_m: 0}\n", "length_m must be positive"},
      {head + "  - {id: 3, segment: dowel, length_m: -0.04}\n", "length_m must be positive"},
      {head + "  - {id: 3, segment: dowel, length_m: 40}\n", "lengths are in metres"},
      {"dictionary: DICT_4X4_50\nmarkers:\n  - {id: 3, segment: dowel}\n",
       "marker 3 has no length: add length_m or a top-level marker_length_m"},
      {"dictionary: DICT_4X4_50\nmarker_length_m: .nan\nmarkers:\n  - {id: 3, segment: dowel}\n",
       "marker_length_m must be a finite number"},
      {head, "needs a 'markers:' list"},
      {"marker_length_m: 0.05\nmarkers:\n  - {id: 3, segment: dowel}\n", "missing 'dictionary:'"},
      {"dictionary: DICT_4X4_50\nmarker_size: 0.05\n",
       "line 2: unknown field 'marker_size'; valid fields: dictionary, marker_length_m, markers"},
      {head + "  - 3\n", "each marker must be a map"},
      {"- a\n- b\n", "not a marker set"},
      {head + "  - {id: 3, segment: dowel\n", "never closed"},
  };
  for (const auto& [text, expect] : cases) {
    const std::string e = ErrorOf(text);
    EXPECT_EQ(e.rfind("set.yml: ", 0), 0u) << e;
    EXPECT_NE(e.find(expect), std::string::npos) << text << "-> " << e;
  }
}

}  // namespace
}  // namespace hl
