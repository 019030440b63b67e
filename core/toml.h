#pragma once

// A small, strict TOML reader for the calibration files anipose and Pose2Sim
// write, and helpers to write them.
//
// Accepted: `[table]` headers (bare or quoted names), `key = value` with bare
// or quoted keys; basic "..." strings with escapes and literal '...' strings;
// decimal integers and floats (fraction and/or exponent, `_` between
// digits); true/false; arrays, nested, over several lines, with trailing
// commas and comments; `#` comments.
// Rejected with a line number: inf and nan, dotted keys, arrays of tables,
// inline tables, multi-line strings, dates, hex/octal/binary integers,
// duplicate keys or tables, arrays nested deeper than 32.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hl {

struct TomlValue {
  enum class Kind { kString, kInteger, kFloat, kBool, kArray };
  Kind kind = Kind::kInteger;
  std::string string;
  int64_t integer = 0;
  double number = 0.0;
  bool boolean = false;
  std::vector<TomlValue> array;
  int line = 0;  // 1-based line where the value starts

  bool IsNumber() const { return kind == Kind::kInteger || kind == Kind::kFloat; }
  // An integer or a float as a double.
  double AsDouble() const { return kind == Kind::kFloat ? number : static_cast<double>(integer); }
};

struct TomlTable {
  std::string name;  // empty for the keys before the first header
  int line = 0;
  std::vector<std::pair<std::string, TomlValue>> entries;  // file order, unique keys

  const TomlValue* Find(std::string_view key) const;
};

struct TomlDocument {
  // tables[0] is the root table (keys before any header), then every
  // [table] in file order.
  std::vector<TomlTable> tables;

  const TomlTable* FindTable(std::string_view name) const;
};

// Throws hl::Error(name, "line L: ...") on malformed or unsupported input.
TomlDocument ParseToml(std::string_view text, const std::string& name);

// A basic string literal with escapes: "cam \"a\"".
std::string TomlString(std::string_view s);
// Shortest round-trip text of a finite double that TOML reads as a float
// ("1920.0", "0.1", "1e+21").
std::string TomlFloat(double v);

}  // namespace hl
