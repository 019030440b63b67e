#include "core/yaml_lite.h"

#include <gtest/gtest.h>

#include <string>

#include <opencv2/core/persistence.hpp>

#include "core/error.h"

namespace hl {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParseYamlLite(text, "f.yml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(YamlLiteTest, ParsesTheSubset) {
  const YamlNode root = ParseYamlLite(R"(%YAML:1.0
---
# comment
plain: hello world  # trailing comment
quoted: "a \"b\" \\ \n \x41 \u00e9 \' #x"
single: 'it''s # not a comment'
number: -1.5e-3
empty:
tagged: !!opencv-matrix
   rows: 1
   data: [ 1., 2.,
      3. ]   # over two lines
flow: {a: 1, b: [x, "y, z"], c: {d: e}, f: }
list:
  - one
  - key: v
    other: w
  -
    - nested
  - [ ]
same_indent:
- a
- b
url: http://example.com/a#b
last: x
...
)",
                                      "t.yml");
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.Find("plain")->scalar, "hello world");
  EXPECT_FALSE(root.Find("plain")->quoted);
  EXPECT_EQ(root.Find("quoted")->scalar, "a \"b\" \\ \n A \xC3\xA9 ' #x");
  EXPECT_TRUE(root.Find("quoted")->quoted);
  EXPECT_EQ(root.Find("single")->scalar, "it's # not a comment");
  EXPECT_EQ(YamlNumber(*root.Find("number"), "t.yml", "number"), -1.5e-3);
  EXPECT_EQ(root.Find("empty")->kind, YamlNode::Kind::kNull);
  const YamlNode* tagged = root.Find("tagged");
  EXPECT_EQ(tagged->tag, "opencv-matrix");
  ASSERT_TRUE(tagged->IsMap());
  EXPECT_EQ(tagged->Find("data")->items.size(), 3u);
  EXPECT_EQ(YamlNumber(tagged->Find("data")->items[2], "t.yml", "x"), 3.0);
  EXPECT_EQ(tagged->Find("data")->items[2].line, 12);
  const YamlNode* flow = root.Find("flow");
  EXPECT_EQ(flow->Find("b")->items[1].scalar, "y, z");
  EXPECT_EQ(flow->Find("c")->Find("d")->scalar, "e");
  EXPECT_EQ(flow->Find("f")->kind, YamlNode::Kind::kNull);
  const YamlNode* list = root.Find("list");
  ASSERT_EQ(list->items.size(), 4u);
  EXPECT_EQ(list->items[0].scalar, "one");
  EXPECT_EQ(list->items[1].Find("other")->scalar, "w");
  EXPECT_EQ(list->items[2].items[0].scalar, "nested");
  EXPECT_TRUE(list->items[3].IsSequence());
  EXPECT_TRUE(list->items[3].items.empty());
  EXPECT_EQ(root.Find("same_indent")->items.size(), 2u);
  EXPECT_EQ(root.Find("url")->scalar, "http://example.com/a#b");
  EXPECT_EQ(root.Find("last")->scalar, "x");
}

TEST(YamlLiteTest, RejectsWithLineNumbers) {
  const std::pair<std::string, const char*> cases[] = {
      {"a: 1\n\tb: 2\n", "line 2: a tab in the indentation"},
      {"a: &x 1\n", "anchors and aliases"},
      {"a: |\n  text\n", "block scalars"},
      {"a: 1\na: 2\n", "line 2: duplicate key 'a'"},
      {"a: {b: 1, b: 2}\n", "duplicate key 'b'"},
      {"a: 1\n---\nb: 2\n", "a second document"},
      {"a: \"open\n", "must end on the line"},
      {"a: \"\\q\"\n", "unknown escape"},
      {"a: \"\\uD800\"\n", "not a Unicode character"},
      {"a: [1, 2\nb: 3\n", "expected ',' or ']'"},
      {"a: [1, 2\n", "never closed"},
      {"a: [1,, 2]\n", "an empty value"},
      {"a: b: c\n", "a ': ' inside a value"},
      {"a:\n  b: 1\n    c: 2\n", "unexpected indentation"},
      {"a: 1\n  b: 2\n", "line 2: unexpected indentation"},
      {"- a\nb: 1\n", "line 2: unexpected"},
      {"a: [1] x\n", "unexpected text"},
      {"a: 1\n...\nb: 2\n", "text after the end of the document"},
      {std::string("a: 1\0", 5), "NUL byte"},
      {"a: " + std::string(40, '[') + std::string(40, ']') + "\n", "nested deeper than 32"},
  };
  for (const auto& [text, expect] : cases) {
    const std::string e = ErrorOf(text);
    EXPECT_EQ(e.rfind("f.yml: line ", 0), 0u) << e;
    EXPECT_NE(e.find(expect), std::string::npos) << text << " -> " << e;
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += std::string(static_cast<size_t>(i) * 2, ' ') + "- \n";
  deep += std::string(80, ' ') + "x\n";
  EXPECT_NE(ErrorOf(deep).find("nested deeper than 32"), std::string::npos) << ErrorOf(deep);
}

TEST(YamlLiteTest, NumbersAndStrings) {
  const YamlNode root = ParseYamlLite("a: 1.\nb: +2\nc: .inf\nd: 1e999\ne: '5'\nf: 3.5\n", "n.yml");
  EXPECT_EQ(YamlNumber(*root.Find("a"), "n.yml", "a"), 1.0);
  EXPECT_EQ(YamlInteger(*root.Find("b"), "n.yml", "b"), 2);
  const auto error = [&](const char* key, auto f) {
    try {
      f(*root.Find(key), "n.yml", key);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("c", YamlNumber).find("line 3: c must be a finite number"), std::string::npos);
  EXPECT_NE(error("d", YamlNumber).find("finite"), std::string::npos);
  EXPECT_NE(error("e", YamlNumber).find("must be a number"), std::string::npos);
  EXPECT_NE(error("f", YamlInteger).find("whole number"), std::string::npos);
  EXPECT_EQ(YamlString(*root.Find("e"), "n.yml", "e"), "5");
}

// Strings YamlScalarText writes, and strings cv::FileStorage writes, read back.
TEST(YamlLiteTest, ScalarsRoundTrip) {
  const std::string samples[] = {"dowel",   "a b",  "-x",          "a: b",      "#x", "a #b",
                                 "[x]",     "q\"q", "back\\slash", "tab\there", "",   " lead",
                                 "ctl\x01", "é"};
  for (const std::string& s : samples) {
    const YamlNode root = ParseYamlLite("k: " + YamlScalarText(s) + "\n", "s.yml");
    EXPECT_EQ(root.Find("k")->scalar, s) << YamlScalarText(s);
    cv::FileStorage fs(
        ".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_YAML);
    fs << "k" << s;
    const std::string text = fs.releaseAndGetString();
    // FileStorage mangles non-ASCII, and writes "[..." as the start of a list.
    if (s.empty() || static_cast<unsigned char>(s.back()) >= 0x80 || s[0] == '[') continue;
    EXPECT_EQ(ParseYamlLite(text, "fs.yml").Find("k")->scalar, s) << text;
  }
}

}  // namespace
}  // namespace hl
