#include "core/toml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace hl {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParseToml(text, "bad.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TomlTest, ParsesTheSubset) {
  const TomlDocument doc = ParseToml(R"(# top comment
title = 'lit\eral'  # comment
"quoted key" = "tab\there \"q\" \u00e9 \U0001F600"
ints = [1, -2, +3, 1_000, 0]
floats = [1.5, -0.0, 1e3, 2.5E-3, 6.02_2e23, +1.0]
nested = [ [1, 2], [], [ [3,],],
  # a comment inside
]
flags = [true, false]

[ table-1 ]
empty = []
)",
                                     "t.toml");
  ASSERT_EQ(doc.tables.size(), 2u);
  const TomlTable& root = doc.tables[0];
  EXPECT_EQ(root.Find("title")->string, "lit\\eral");
  EXPECT_EQ(root.Find("quoted key")->string, "tab\there \"q\" \xC3\xA9 \xF0\x9F\x98\x80");
  const auto& ints = root.Find("ints")->array;
  ASSERT_EQ(ints.size(), 5u);
  EXPECT_EQ(ints[1].integer, -2);
  EXPECT_EQ(ints[2].integer, 3);
  EXPECT_EQ(ints[3].integer, 1000);
  EXPECT_EQ(ints[3].kind, TomlValue::Kind::kInteger);
  const auto& floats = root.Find("floats")->array;
  EXPECT_EQ(floats[0].number, 1.5);
  EXPECT_TRUE(std::signbit(floats[1].number));
  EXPECT_EQ(floats[2].number, 1000.0);
  EXPECT_EQ(floats[3].number, 2.5e-3);
  EXPECT_EQ(floats[4].number, 6.022e23);
  EXPECT_EQ(floats[5].number, 1.0);
  const auto& nested = root.Find("nested")->array;
  ASSERT_EQ(nested.size(), 3u);
  EXPECT_EQ(nested[2].array[0].array[0].integer, 3);
  EXPECT_EQ(root.Find("nested")->line, 6);
  EXPECT_TRUE(root.Find("flags")->array[0].boolean);
  ASSERT_NE(doc.FindTable("table-1"), nullptr);
  EXPECT_EQ(doc.FindTable("table-1")->line, 11);
  EXPECT_TRUE(doc.FindTable("table-1")->Find("empty")->array.empty());
}

TEST(TomlTest, RejectsWithLineNumbers) {
  const std::pair<const char*, const char*> cases[] = {
      {"a = nan", "line 1: 'nan': inf and nan"},
      {"\n\na = -inf", "line 3: '-inf'"},
      {"a = 01", "leading zeros"},
      {"a = 1.", "digits after the '.'"},
      {"a = .5", "expected a value"},
      {"a = 1__0", "'_' must sit between digits"},
      {"a = 1e", "an exponent needs digits"},
      {"a = 0x1F", "hex, octal and binary"},
      {"a = 1979-05-27", "dates"},
      {"a = 99999999999999999999", "64-bit range"},
      {"a = 1e400", "range of a double"},
      {"a.b = 1", "dotted keys"},
      {"a = {b = 1}", "inline tables"},
      {"a = \"\"\"x\"\"\"", "multi-line strings"},
      {"a = \"open", "must end on its line"},
      {"a = \"\\q\"", "unknown escape"},
      {"a = \"\\uD800\"", "not a Unicode scalar value"},
      {"a = [1, 2", "never closed"},
      {"a = [1 2]", "expected ',' or ']'"},
      {"a = 1 b = 2", "unexpected text"},
      {"a =", "has no value"},
      {"= 1", "expected a key"},
      {"a = 1\na = 2", "line 2: key 'a' appears twice"},
      {"[t]\n[t]", "line 2: table [t] appears twice"},
      {"a = tru", "expected a value"},
  };
  for (const auto& [text, expect] : cases) {
    const std::string e = ErrorOf(text);
    EXPECT_EQ(e.rfind("bad.toml: line ", 0), 0u) << text << " -> " << e;
    EXPECT_NE(e.find(expect), std::string::npos) << text << " -> " << e;
  }
  std::string deep = "a = " + std::string(40, '[') + std::string(40, ']');
  EXPECT_NE(ErrorOf(deep).find("nested deeper than 32"), std::string::npos);
  EXPECT_EQ(TomlFloat(1920), "1920.0");
  EXPECT_EQ(TomlFloat(0.1), "0.1");
  EXPECT_EQ(TomlFloat(1e21), "1e+21");
  EXPECT_EQ(TomlString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(ParseToml("s = " + TomlString("a\"b\\c\n\x01"), "s").tables[0].Find("s")->string,
            "a\"b\\c\n\x01");
}

}  // namespace
}  // namespace hl
