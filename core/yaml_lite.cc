#include "core/yaml_lite.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>

#include "core/error.h"
#include "core/json.h"

namespace hl {
namespace {

constexpr int kMaxDepth = 32;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string TrimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsBlank(s[n - 1])) --n;
  return std::string(s.substr(0, n));
}

// Recursive descent over the text. Block parsers leave `pos_` on the first
// content character of the next line that does not belong to them and set
// `indent_` to that line's indentation (-1 at the end of the document).
class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  YamlNode ParseDocument() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
    for (size_t i = 0; i < s_.size(); ++i) {
      if (s_[i] == '\0') Fail("contains a NUL byte; is this a text file?");
    }
    indent_ = ScanLine();
    while (indent_ == 0 && Peek() == '%') {  // directives such as %YAML:1.0
      SkipToLineEnd();
      indent_ = NextContentLine();
    }
    if (at_marker_ && IsDocumentMarker("---")) {
      pos_ += 3;
      ExpectLineEnd();
      at_marker_ = false;
      indent_ = NextContentLine();
    }
    YamlNode root;
    root.line = line_;
    if (indent_ >= 0) root = ParseBlock(indent_, 0);
    if (indent_ >= 0) Fail("unexpected '" + Excerpt() + "'; check the indentation of this line");
    if (at_marker_) {
      if (IsDocumentMarker("---")) Fail("a second document ('---') is not supported");
      pos_ += 3;  // "..."
      ExpectLineEnd();
      at_marker_ = false;
      if (NextContentLine() >= 0 || at_marker_) Fail("text after the end of the document ('...')");
    }
    return root;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw Error(name_, "line " + std::to_string(line_) + ": " + what);
  }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  bool AtLineEnd() const { return AtEnd() || Peek() == '\n' || Peek() == '\r'; }
  int Column() const { return static_cast<int>(pos_ - line_start_); }
  void CheckDepth(int depth) const {
    if (depth > kMaxDepth) Fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  void SkipBlanks() {
    while (IsBlank(Peek())) ++pos_;
  }
  void SkipToLineEnd() {
    while (!AtLineEnd()) ++pos_;
  }
  void ConsumeNewline() {
    if (Peek() == '\r') ++pos_;
    if (Peek() == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
  }
  // After a value: blanks, an optional comment, then the end of the line.
  void ExpectLineEnd() {
    SkipBlanks();
    if (Peek() == '#') SkipToLineEnd();
    if (!AtLineEnd()) Fail("unexpected text '" + Excerpt() + "' after the value");
  }
  std::string Excerpt() const {
    size_t end = pos_;
    while (end < s_.size() && end - pos_ < 20 && s_[end] != '\n' && s_[end] != '\r') ++end;
    return std::string(s_.substr(pos_, end - pos_));
  }
  bool IsDocumentMarker(std::string_view marker) const {
    if (s_.substr(pos_, 3) != marker) return false;
    const char c = Peek(3);
    return c == '\0' || IsBlank(c) || c == '\n' || c == '\r';
  }
  // From a line start: skips blank and comment lines, returns the indentation
  // of the next content line with pos_ on its first character, or -1 at the
  // end (also at a `---` / `...` marker, noted in at_marker_).
  int ScanLine() {
    while (true) {
      int indent = 0;
      while (Peek() == ' ') {
        ++pos_;
        ++indent;
      }
      if (Peek() == '\t') {
        SkipBlanks();
        if (!AtLineEnd() && Peek() != '#') Fail("a tab in the indentation; indent with spaces");
      }
      if (Peek() == '#') SkipToLineEnd();
      if (AtEnd()) return -1;
      if (AtLineEnd()) {
        ConsumeNewline();
        continue;
      }
      if (indent == 0 && (IsDocumentMarker("---") || IsDocumentMarker("..."))) {
        at_marker_ = true;
        return -1;
      }
      return indent;
    }
  }
  // From a line end (pos_ on the newline or at the end).
  int NextContentLine() {
    if (AtEnd() || at_marker_) return -1;
    ConsumeNewline();
    return ScanLine();
  }
  bool IsSeqDash() const {
    const char c = Peek(1);
    return Peek() == '-' && (c == '\0' || IsBlank(c) || c == '\n' || c == '\r');
  }
  // Does the line from pos_ hold `key:` (a colon followed by a blank or the
  // line end, before any comment)?
  bool LooksLikeKey() const {
    size_t i = pos_;
    const char first = Peek();
    if (first == '[' || first == '{' || IsSeqDash()) return false;
    if (first == '"' || first == '\'') {
      ++i;
      while (i < s_.size() && s_[i] != first && s_[i] != '\n')
        i += (s_[i] == '\\' && first == '"') ? 2 : 1;
      if (i >= s_.size() || s_[i] != first) return false;
      ++i;
      while (i < s_.size() && IsBlank(s_[i])) ++i;
      return i < s_.size() && s_[i] == ':';
    }
    for (; i < s_.size() && s_[i] != '\n' && s_[i] != '\r'; ++i) {
      if (s_[i] == '#' && i > pos_ && IsBlank(s_[i - 1])) return false;
      if (s_[i] == ':') {
        const char c = i + 1 < s_.size() ? s_[i + 1] : '\0';
        if (c == '\0' || IsBlank(c) || c == '\n' || c == '\r') return true;
      }
    }
    return false;
  }

  YamlNode ParseBlock(int indent, int depth) {
    CheckDepth(depth);
    if (IsSeqDash()) return ParseBlockSequence(indent, depth);
    if (LooksLikeKey()) return ParseBlockMap(indent, depth);
    YamlNode value = ParseInlineValue(depth);
    ExpectLineEnd();
    indent_ = NextContentLine();
    return value;
  }

  YamlNode ParseBlockSequence(int indent, int depth) {
    YamlNode node;
    node.kind = YamlNode::Kind::kSequence;
    node.line = line_;
    while (true) {
      ++pos_;  // the dash
      SkipBlanks();
      const std::string tag = ParseOptionalTag();
      YamlNode item;
      if (AtLineEnd() || Peek() == '#') {
        const int item_line = line_;
        ExpectLineEnd();
        indent_ = NextContentLine();
        if (indent_ > indent) {
          item = ParseBlock(indent_, depth + 1);
        } else {
          item.line = item_line;
        }
      } else {
        item = ParseBlock(Column(), depth + 1);
      }
      if (!tag.empty()) item.tag = tag;
      node.items.push_back(std::move(item));
      if (indent_ == indent && IsSeqDash()) continue;
      if (indent_ > indent) Fail("unexpected indentation in a '- ' list");
      return node;
    }
  }

  YamlNode ParseBlockMap(int indent, int depth) {
    YamlNode node;
    node.kind = YamlNode::Kind::kMap;
    node.line = line_;
    std::set<std::string> seen;
    while (true) {
      if (!LooksLikeKey()) Fail("expected 'key: value', found '" + Excerpt() + "'");
      const int key_line = line_;
      std::string key = ParseKey();
      if (!seen.insert(key).second) Fail("duplicate key '" + key + "'");
      SkipBlanks();
      const std::string tag = ParseOptionalTag();
      YamlNode value;
      if (AtLineEnd() || Peek() == '#') {
        ExpectLineEnd();
        indent_ = NextContentLine();
        if (indent_ > indent) {
          value = ParseBlock(indent_, depth + 1);
        } else if (indent_ == indent && IsSeqDash()) {
          value = ParseBlockSequence(indent, depth + 1);
        } else {
          value.line = key_line;
        }
      } else {
        value = ParseInlineValue(depth + 1);
        ExpectLineEnd();
        indent_ = NextContentLine();
      }
      if (!tag.empty()) value.tag = tag;
      node.keys.push_back(std::move(key));
      node.items.push_back(std::move(value));
      if (indent_ == indent) continue;
      if (indent_ > indent) Fail("unexpected indentation after key '" + node.keys.back() + "'");
      return node;
    }
  }

  std::string ParseKey() {
    std::string key;
    if (Peek() == '"' || Peek() == '\'') {
      key = ParseQuoted();
      SkipBlanks();
    } else {
      const size_t start = pos_;
      while (!(Peek() == ':' &&
               (IsBlank(Peek(1)) || Peek(1) == '\0' || Peek(1) == '\n' || Peek(1) == '\r'))) {
        ++pos_;
      }
      key = TrimRight(s_.substr(start, pos_ - start));
      if (key.empty()) Fail("a ':' without a key before it");
    }
    if (Peek() != ':') Fail("expected ':' after key '" + key + "'");
    ++pos_;
    return key;
  }

  std::string ParseOptionalTag() {
    if (Peek() != '!') return "";
    ++pos_;
    if (Peek() == '!') ++pos_;
    const size_t start = pos_;
    while (!AtLineEnd() && !IsBlank(Peek()) && Peek() != ',' && Peek() != ']' && Peek() != '}') {
      ++pos_;
    }
    if (pos_ == start) Fail("an empty tag ('!')");
    std::string tag(s_.substr(start, pos_ - start));
    SkipBlanks();
    return tag;
  }

  // A value on the rest of a line in block context: flow collection, quoted
  // or plain scalar.
  YamlNode ParseInlineValue(int depth) {
    CheckDepth(depth);
    const char c = Peek();
    if (c == '[' || c == '{') return ParseFlow(depth);
    if (c == '|' || c == '>') {
      Fail("block scalars ('|' and '>') are not supported; write the text on one line");
    }
    if (c == '&' || c == '*') Fail("anchors and aliases ('&', '*') are not supported");
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.line = line_;
    if (c == '"' || c == '\'') {
      node.scalar = ParseQuoted();
      node.quoted = true;
      return node;
    }
    const size_t start = pos_;
    while (!AtLineEnd() && !(Peek() == '#' && pos_ > start && IsBlank(s_[pos_ - 1]))) {
      if (Peek() == ':' && (IsBlank(Peek(1)) || Peek(1) == '\0')) {
        Fail("a ': ' inside a value; quote the value or put the map on its own lines");
      }
      ++pos_;
    }
    node.scalar = TrimRight(s_.substr(start, pos_ - start));
    return node;
  }

  std::string ParseQuoted() {
    const char quote = Peek();
    ++pos_;
    std::string out;
    while (true) {
      if (AtLineEnd()) Fail("a quoted string must end on the line where it starts");
      const char c = Peek();
      ++pos_;
      if (c == quote) {
        if (quote == '\'' && Peek() == '\'') {
          out.push_back('\'');
          ++pos_;
          continue;
        }
        return out;
      }
      if (c == '\\' && quote == '"') {
        out += ParseEscape();
      } else {
        out.push_back(c);
      }
    }
  }

  std::string ParseEscape() {
    if (AtLineEnd()) Fail("a '\\' at the end of a quoted string");
    const char e = Peek();
    ++pos_;
    switch (e) {
      case '0':
        return std::string(1, '\0');
      case 'a':
        return "\a";
      case 'b':
        return "\b";
      case 't':
        return "\t";
      case 'n':
        return "\n";
      case 'v':
        return "\v";
      case 'f':
        return "\f";
      case 'r':
        return "\r";
      case 'e':
        return "\x1B";
      case ' ':
        return " ";
      case '"':
        return "\"";
      case '\'':
        return "'";  // cv::FileStorage writes \' inside double quotes
      case '/':
        return "/";
      case '\\':
        return "\\";
      case 'x':
        return HexEscape(2);
      case 'u':
        return HexEscape(4);
      case 'U':
        return HexEscape(8);
      default:
        Fail(std::string("unknown escape '\\") + e + "' in a quoted string");
    }
  }

  std::string HexEscape(int digits) {
    uint32_t cp = 0;
    for (int i = 0; i < digits; ++i) {
      const char h = Peek();
      int v;
      if (h >= '0' && h <= '9')
        v = h - '0';
      else if (h >= 'a' && h <= 'f')
        v = h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        v = h - 'A' + 10;
      else
        Fail("a \\x, \\u or \\U escape needs " + std::to_string(digits) + " hex digits");
      cp = cp * 16 + static_cast<uint32_t>(v);
      ++pos_;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      Fail("an escape that is not a Unicode character");
    std::string out;
    AppendUtf8(cp, &out);
    return out;
  }

  // Flow context: newlines and comments are white space.
  void SkipFlowSpace(int open_line, char open) {
    while (true) {
      if (AtEnd()) {
        Fail(std::string("the '") + open + "' opened on line " + std::to_string(open_line) +
             " is never closed");
      }
      const char c = Peek();
      if (IsBlank(c)) {
        ++pos_;
      } else if (c == '\n' || c == '\r') {
        ConsumeNewline();
      } else if (c == '#') {
        SkipToLineEnd();
      } else {
        return;
      }
    }
  }

  YamlNode ParseFlow(int depth) {
    CheckDepth(depth);
    const char open = Peek();
    const char close = open == '[' ? ']' : '}';
    YamlNode node;
    node.kind = open == '[' ? YamlNode::Kind::kSequence : YamlNode::Kind::kMap;
    node.line = line_;
    const int open_line = line_;
    std::set<std::string> seen;
    ++pos_;
    while (true) {
      SkipFlowSpace(open_line, open);
      if (Peek() == close) {
        ++pos_;
        return node;
      }
      if (open == '[') {
        node.items.push_back(ParseFlowValue(depth + 1, open_line, open));
      } else {
        std::string key;
        if (Peek() == '"' || Peek() == '\'') {
          key = ParseQuoted();
        } else {
          const size_t start = pos_;
          while (!AtLineEnd() && Peek() != ':' && Peek() != ',' && Peek() != '{' && Peek() != '}' &&
                 Peek() != '[' && Peek() != ']' && Peek() != '#') {
            ++pos_;
          }
          key = TrimRight(s_.substr(start, pos_ - start));
          if (key.empty()) Fail("expected 'key: value' inside '{ }'");
        }
        SkipFlowSpace(open_line, open);
        if (Peek() != ':') Fail("expected ':' after key '" + key + "' inside '{ }'");
        ++pos_;
        if (!seen.insert(key).second) Fail("duplicate key '" + key + "'");
        SkipFlowSpace(open_line, open);
        YamlNode value;
        value.line = line_;
        if (Peek() != ',' && Peek() != '}') value = ParseFlowValue(depth + 1, open_line, open);
        node.keys.push_back(std::move(key));
        node.items.push_back(std::move(value));
      }
      SkipFlowSpace(open_line, open);
      if (Peek() == ',') {
        ++pos_;
      } else if (Peek() != close) {
        Fail(std::string("expected ',' or '") + close + "', found '" + Excerpt() + "'");
      }
    }
  }

  YamlNode ParseFlowValue(int depth, int open_line, char open) {
    SkipFlowSpace(open_line, open);
    const std::string tag = ParseOptionalTag();
    SkipFlowSpace(open_line, open);
    YamlNode node;
    const char c = Peek();
    if (c == '[' || c == '{') {
      node = ParseFlow(depth);
    } else if (c == '"' || c == '\'') {
      node.kind = YamlNode::Kind::kScalar;
      node.line = line_;
      node.scalar = ParseQuoted();
      node.quoted = true;
    } else if (c == '&' || c == '*' || c == '|' || c == '>') {
      Fail(std::string("'") + c + "' (anchors, aliases, block scalars) is not supported");
    } else {
      node.kind = YamlNode::Kind::kScalar;
      node.line = line_;
      const size_t start = pos_;
      while (!AtLineEnd() && Peek() != ',' && Peek() != '[' && Peek() != ']' && Peek() != '{' &&
             Peek() != '}' && !(Peek() == '#' && pos_ > start && IsBlank(s_[pos_ - 1]))) {
        if (Peek() == ':' && (IsBlank(Peek(1)) || Peek(1) == ',' || Peek(1) == ']')) {
          Fail("a ':' inside a '[ ]' list item; quote the value");
        }
        ++pos_;
      }
      node.scalar = TrimRight(s_.substr(start, pos_ - start));
      if (node.scalar.empty()) Fail("an empty value inside '" + std::string(1, open) + "'");
    }
    if (!tag.empty()) node.tag = tag;
    return node;
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
  int indent_ = -1;
  bool at_marker_ = false;
};

[[noreturn]] void FailAt(const YamlNode& node, const std::string& name, const std::string& what) {
  throw Error(name, "line " + std::to_string(node.line) + ": " + what);
}

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

YamlNode ParseYamlLite(std::string_view text, const std::string& name) {
  return Parser(text, name).ParseDocument();
}

double YamlNumber(const YamlNode& node, const std::string& name, const std::string& what) {
  if (!node.IsScalar() || node.quoted) FailAt(node, name, what + " must be a number");
  std::string_view s = node.scalar;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec == std::errc::invalid_argument || res.ptr != s.data() + s.size()) {
    std::string lower;
    for (char c : s)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    const bool non_finite =
        lower.find("inf") != std::string::npos || lower.find("nan") != std::string::npos;
    FailAt(node, name,
           what + (non_finite ? " must be a finite number" : " must be a number") + ", not '" +
               node.scalar + "'");
  }
  if (res.ec == std::errc::result_out_of_range || !std::isfinite(v)) {
    FailAt(node, name, what + " must be a finite number, not '" + node.scalar + "'");
  }
  return v;
}

int64_t YamlInteger(const YamlNode& node, const std::string& name, const std::string& what) {
  const double v = YamlNumber(node, name, what);
  // FileStorage may write integral values as "1920."; accept them, not 1920.5.
  if (v != std::floor(v) || std::abs(v) > 9.0e15) {
    FailAt(node, name, what + " must be a whole number, not '" + node.scalar + "'");
  }
  return static_cast<int64_t>(v);
}

std::string YamlString(const YamlNode& node, const std::string& name, const std::string& what) {
  if (!node.IsScalar()) FailAt(node, name, what + " must be a single value, not a list or map");
  return node.scalar;
}

std::string YamlScalarText(std::string_view s) {
  bool plain = !s.empty() && !IsBlank(s.front()) && !IsBlank(s.back());
  if (plain) {
    static const std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
    if (kIndicators.find(s.front()) != std::string_view::npos) plain = false;
  }
  for (size_t i = 0; plain && i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
        (c == ':' && (i + 1 == s.size() || IsBlank(s[i + 1]))) ||
        (c == '#' && i > 0 && IsBlank(s[i - 1]))) {
      plain = false;
    }
  }
  if (plain) return std::string(s);
  return QuoteEscaped(s, "\\x");
}

}  // namespace hl
