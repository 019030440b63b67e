#pragma once

// A strict reader for the small YAML subset HingeLab's files use: the rig
// files cv::FileStorage writes and the hand-written marker sets.
//
// Why not cv::FileStorage for reading: fuzzing OpenCV 4.6's YAML parser makes
// it throw std::length_error out of its constructor (a negative length inside
// the parser) and allocate matrices of any size a file claims, and it cannot
// report unknown keys or line numbers. This reader accepts:
//   - an optional `%YAML...` directive line and `---` document start;
//   - block maps (`key: value`), block sequences (`- item`, including compact
//     `- key: value` maps), nested by indentation with spaces;
//   - flow sequences `[a, b]` and flow maps `{k: v}`, nested, over several
//     lines, trailing comma allowed;
//   - plain scalars, "double-quoted" (with \ escapes) and 'single-quoted';
//   - tags such as `!!opencv-matrix` (kept on the node); `#` comments.
// It rejects with a line number: tabs in indentation, anchors/aliases, block
// scalars (| >), duplicate keys, several documents, nesting deeper than 32.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;   // kScalar: the text, quotes removed and escapes decoded
  bool quoted = false;  // the scalar was quoted, so it is a string, never a number
  std::string tag;      // "opencv-matrix" for `!!opencv-matrix`; empty when none
  int line = 0;         // 1-based line where the node starts
  // kSequence: the items. kMap: the values, in file order, with their
  // (unique) keys in `keys`.
  std::vector<YamlNode> items;
  std::vector<std::string> keys;

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  // Map lookup; nullptr when absent or not a map.
  const YamlNode* Find(std::string_view key) const;
};

// Throws hl::Error(name, "line L: ...") on anything outside the subset.
YamlNode ParseYamlLite(std::string_view text, const std::string& name);

// Scalar conversions. `what` names the value in the error, e.g.
// "camera 'cam0': rms_px"; errors read "line L: <what> must be ...".
double YamlNumber(const YamlNode& node, const std::string& name, const std::string& what);
int64_t YamlInteger(const YamlNode& node, const std::string& name, const std::string& what);
std::string YamlString(const YamlNode& node, const std::string& name, const std::string& what);

// A scalar as YAML text: plain when it reads back unchanged, else
// double-quoted with escapes.
std::string YamlScalarText(std::string_view s);

}  // namespace hl
