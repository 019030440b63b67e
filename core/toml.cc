#include "core/toml.h"

#include <charconv>
#include <cmath>
#include <map>
#include <system_error>

#include "core/error.h"
#include "core/json.h"

namespace hl {
namespace {

constexpr int kMaxDepth = 32;

bool IsBareKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

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

class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  TomlDocument Parse() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    TomlDocument doc;
    std::map<std::string, int> table_lines;
    doc.tables.emplace_back();
    doc.tables.back().line = 1;
    while (true) {
      SkipBlankLinesAndComments();
      if (AtEnd()) return doc;
      if (Peek() == '[') {
        TomlTable table = ParseHeader();
        const auto [it, inserted] = table_lines.emplace(table.name, table.line);
        if (!inserted) {
          Fail("table [" + table.name + "] appears twice (first on line " +
               std::to_string(it->second) + ")");
        }
        key_lines_.clear();
        doc.tables.push_back(std::move(table));
      } else {
        ParseKeyValue(&doc.tables.back());
      }
      ExpectLineEnd();
    }
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw Error(name_, "line " + std::to_string(line_) + ": " + what);
  }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  bool AtNewline() const { return Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n'); }
  void SkipBlanks() {
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
  }
  void SkipComment() {
    if (Peek() != '#') return;
    while (!AtEnd() && !AtNewline()) {
      const unsigned char c = static_cast<unsigned char>(Peek());
      if ((c < 0x20 && c != '\t') || c == 0x7F) Fail("a control character in a comment");
      ++pos_;
    }
  }
  void ConsumeNewline() {
    pos_ += Peek() == '\r' ? 2 : 1;
    ++line_;
  }
  void SkipBlankLinesAndComments() {
    while (true) {
      SkipBlanks();
      SkipComment();
      if (!AtNewline()) return;
      ConsumeNewline();
    }
  }
  // Inside arrays newlines and comments are white space.
  void SkipArraySpace(int open_line) {
    SkipBlankLinesAndComments();
    if (AtEnd()) Fail("the '[' opened on line " + std::to_string(open_line) + " is never closed");
  }
  void ExpectLineEnd() {
    SkipBlanks();
    SkipComment();
    if (AtEnd()) return;
    if (!AtNewline()) Fail("unexpected text '" + Excerpt() + "'; one key = value per line");
    ConsumeNewline();
  }
  std::string Excerpt() const {
    size_t end = pos_;
    while (end < s_.size() && end - pos_ < 20 && s_[end] != '\n' && s_[end] != '\r') ++end;
    return std::string(s_.substr(pos_, end - pos_));
  }

  std::string ParseKey() {
    std::string key;
    if (Peek() == '"') {
      key = ParseBasicString();
    } else if (Peek() == '\'') {
      key = ParseLiteralString();
    } else {
      const size_t start = pos_;
      while (IsBareKeyChar(Peek())) ++pos_;
      if (pos_ == start) Fail("expected a key, found '" + Excerpt() + "'");
      key = std::string(s_.substr(start, pos_ - start));
    }
    SkipBlanks();
    if (Peek() == '.') Fail("dotted keys ('a.b') are not supported; use a [table]");
    return key;
  }

  TomlTable ParseHeader() {
    TomlTable table;
    table.line = line_;
    ++pos_;
    if (Peek() == '[') Fail("arrays of tables ([[...]]) are not supported");
    SkipBlanks();
    table.name = ParseKey();
    if (Peek() != ']') Fail("expected ']' to close the table name");
    ++pos_;
    return table;
  }

  void ParseKeyValue(TomlTable* table) {
    const int key_line = line_;
    std::string key = ParseKey();
    if (Peek() != '=') Fail("expected '=' after key '" + key + "'");
    ++pos_;
    SkipBlanks();
    if (AtEnd() || AtNewline() || Peek() == '#') Fail("key '" + key + "' has no value");
    const auto [it, inserted] = key_lines_.emplace(key, key_line);
    if (!inserted) {
      Fail("key '" + key + "' appears twice in " +
           (table->name.empty() ? std::string("the top level") : "[" + table->name + "]") +
           " (first on line " + std::to_string(it->second) + ")");
    }
    TomlValue value = ParseValue(0);
    value.line = key_line;
    table->entries.emplace_back(std::move(key), std::move(value));
  }

  TomlValue ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("arrays nested deeper than " + std::to_string(kMaxDepth));
    TomlValue v;
    v.line = line_;
    const char c = Peek();
    if (c == '"') {
      if (s_.substr(pos_, 3) == "\"\"\"") Fail("multi-line strings (\"\"\") are not supported");
      v.kind = TomlValue::Kind::kString;
      v.string = ParseBasicString();
    } else if (c == '\'') {
      if (s_.substr(pos_, 3) == "'''") Fail("multi-line strings (''') are not supported");
      v.kind = TomlValue::Kind::kString;
      v.string = ParseLiteralString();
    } else if (c == '[') {
      v.kind = TomlValue::Kind::kArray;
      const int open_line = line_;
      ++pos_;
      while (true) {
        SkipArraySpace(open_line);
        if (Peek() == ']') break;
        v.array.push_back(ParseValue(depth + 1));
        SkipArraySpace(open_line);
        if (Peek() == ',') {
          ++pos_;
        } else if (Peek() != ']') {
          Fail("expected ',' or ']' in the array opened on line " + std::to_string(open_line) +
               ", found '" + Excerpt() + "'");
        }
      }
      ++pos_;
    } else if (c == '{') {
      Fail("inline tables ({ ... }) are not supported; use a [table]");
    } else {
      ParseScalarToken(&v);
    }
    return v;
  }

  void ParseScalarToken(TomlValue* v) {
    const size_t start = pos_;
    while (IsBareKeyChar(Peek()) || Peek() == '+' || Peek() == '.' || Peek() == ':') ++pos_;
    const std::string tok(s_.substr(start, pos_ - start));
    if (tok.empty()) Fail("expected a value, found '" + Excerpt() + "'");
    if (tok == "true" || tok == "false") {
      v->kind = TomlValue::Kind::kBool;
      v->boolean = tok == "true";
      return;
    }
    std::string_view body = tok;
    if (body[0] == '+' || body[0] == '-') body.remove_prefix(1);
    if (body == "inf" || body == "nan") {
      Fail("'" + tok + "': inf and nan are not accepted; write a finite number");
    }
    if (body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
      Fail("'" + tok + "': hex, octal and binary numbers are not supported");
    }
    if (tok.find(':') != std::string::npos ||
        (body.size() > 4 && IsDigit(body[0]) && body.find('-') != std::string_view::npos &&
         body.find('e') == std::string_view::npos && body.find('E') == std::string_view::npos)) {
      Fail("'" + tok + "': dates and times are not supported");
    }
    if (!IsDigit(body.empty() ? '\0' : body[0])) {
      Fail("expected a value (\"string\", number, true, false or [array]), found '" + tok +
           "'; strings need quotes");
    }
    // Check the TOML number grammar, dropping the '_' separators.
    std::string digits;
    size_t i = 0;
    const auto digit_run = [&](const char* what) {
      if (i >= body.size() || !IsDigit(body[i])) Fail("'" + tok + "' is not a number: " + what);
      while (i < body.size() && (IsDigit(body[i]) || body[i] == '_')) {
        if (body[i] == '_' &&
            (i + 1 >= body.size() || !IsDigit(body[i + 1]) || !IsDigit(body[i - 1]))) {
          Fail("'" + tok + "': '_' must sit between digits");
        }
        if (body[i] != '_') digits.push_back(body[i]);
        ++i;
      }
    };
    if (tok[0] == '-') digits.push_back('-');
    const size_t int_start = i;
    digit_run("expected digits");
    if (i - int_start > 1 && body[int_start] == '0')
      Fail("'" + tok + "': leading zeros are not allowed");
    bool is_float = false;
    if (i < body.size() && body[i] == '.') {
      is_float = true;
      digits.push_back('.');
      ++i;
      digit_run("a float needs digits after the '.'");
    }
    if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
      is_float = true;
      digits.push_back('e');
      ++i;
      if (i < body.size() && (body[i] == '+' || body[i] == '-')) digits.push_back(body[i++]);
      digit_run("an exponent needs digits");
    }
    if (i != body.size()) Fail("'" + tok + "' is not a number");
    const char* first = digits.data();
    const char* last = digits.data() + digits.size();
    if (is_float) {
      v->kind = TomlValue::Kind::kFloat;
      const auto res = std::from_chars(first, last, v->number);
      if (res.ec != std::errc() || res.ptr != last || !std::isfinite(v->number)) {
        Fail("'" + tok + "' is out of the range of a double");
      }
    } else {
      v->kind = TomlValue::Kind::kInteger;
      const auto res = std::from_chars(first, last, v->integer);
      if (res.ec != std::errc() || res.ptr != last)
        Fail("'" + tok + "' is out of the 64-bit range");
    }
  }

  std::string ParseLiteralString() {
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r') Fail("a string must end on its line");
      const char c = Peek();
      ++pos_;
      if (c == '\'') return out;
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
        Fail("a control character in a string");
      }
      out.push_back(c);
    }
  }

  std::string ParseBasicString() {
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r') Fail("a string must end on its line");
      const char c = Peek();
      ++pos_;
      if (c == '"') return out;
      if (c == '\\') {
        const char e = Peek();
        ++pos_;
        switch (e) {
          case 'b':
            out.push_back('\b');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case '"':
            out.push_back('"');
            break;
          case '\\':
            out.push_back('\\');
            break;
          case 'u':
            AppendUtf8(ParseHex(4), &out);
            break;
          case 'U':
            AppendUtf8(ParseHex(8), &out);
            break;
          default:
            Fail(std::string("unknown escape '\\") + e + "' in a string");
        }
        continue;
      }
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
        Fail("a control character in a string; escape it");
      }
      out.push_back(c);
    }
  }

  uint32_t ParseHex(int n) {
    uint32_t cp = 0;
    for (int k = 0; k < n; ++k) {
      const char h = Peek();
      uint32_t d;
      if (h >= '0' && h <= '9') {
        d = static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<uint32_t>(h - 'A' + 10);
      } else {
        Fail("\\u needs 4 and \\U 8 hex digits");
      }
      cp = cp * 16 + d;
      ++pos_;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      Fail("an escape that is not a Unicode scalar value");
    return cp;
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
  int line_ = 1;
  std::map<std::string, int> key_lines_;  // keys of the current table -> line
};

}  // namespace

const TomlValue* TomlTable::Find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

const TomlTable* TomlDocument::FindTable(std::string_view name) const {
  for (size_t i = 1; i < tables.size(); ++i) {
    if (tables[i].name == name) return &tables[i];
  }
  return nullptr;
}

TomlDocument ParseToml(std::string_view text, const std::string& name) {
  return Parser(text, name).Parse();
}

std::string TomlString(std::string_view s) {
  return QuoteEscaped(s, "\\u00");
}

std::string TomlFloat(double v) {
  std::string s = FormatDouble(v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

}  // namespace hl
