#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/error.h"

namespace hl {
namespace {

TEST(JsonTest, DumpKeepsInsertionOrderAndEscapes) {
  Json j;
  j["drill"] = "dowel_hinge";
  j["assessable"] = true;
  j["faults"] = Json::ArrayOf(std::vector<std::string>{"knees_forward", "a\"b\\c\n"});
  j["score"] = 71;
  EXPECT_EQ(j.Dump(),
            R"({"drill":"dowel_hinge","assessable":true,"faults":["knees_forward","a\"b\\c\n"],"score":71})");
}

TEST(JsonTest, ParseRoundTrip) {
  const std::string text =
      R"({"drill": "rdl", "fps": 60, "reps": [{"start_s": 0.8, "end_s": 3.9, "faults": []}], "x": null, "u": "\u00e9"})";
  Json j = Json::Parse(text);
  EXPECT_EQ(j.at("drill").str(), "rdl");
  EXPECT_EQ(j.at("fps").number(), 60);
  ASSERT_EQ(j.at("reps").size(), 1u);
  EXPECT_DOUBLE_EQ(j.at("reps").array()[0].at("end_s").number(), 3.9);
  EXPECT_TRUE(j.at("x").is_null());
  EXPECT_EQ(j.at("u").str(), "\xc3\xa9");
  EXPECT_EQ(Json::Parse(j.Dump()).Dump(), j.Dump());
  EXPECT_EQ(Json::Parse(j.Dump(2)).Dump(), j.Dump());
}

TEST(JsonTest, DoublesRoundTripExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1e6, 1e6);
  for (int i = 0; i < 1000; ++i) {
    const double v = u(rng) * std::pow(10.0, static_cast<int>(rng() % 20) - 10);
    EXPECT_EQ(Json::Parse(FormatDouble(v)).number(), v);
  }
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "null");
}

TEST(JsonTest, MalformedInputNamesSourceAndLine) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,2", "\"abc", "{\"a\" 1}", "tru", "1 2", "[1,]x"}) {
    try {
      Json::Parse(bad, "labels.json");
      FAIL() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.where(), "labels.json");
      EXPECT_NE(e.message().find("line"), std::string::npos);
    }
  }
  std::string deep(100000, '[');
  EXPECT_THROW(Json::Parse(deep, "deep.json"), Error);
}

}  // namespace
}  // namespace hl
