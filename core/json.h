#pragma once

// A small JSON value: enough for the command line's --json output, score
// files and truth labels. Objects keep insertion order so output is stable.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hl {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::kBool), bool_(b) {}
  Json(int v) : type_(Type::kNumber), number_(v) {}
  Json(int64_t v) : type_(Type::kNumber), number_(static_cast<double>(v)) {}
  Json(size_t v) : type_(Type::kNumber), number_(static_cast<double>(v)) {}
  Json(double v) : type_(Type::kNumber), number_(v) {}
  Json(const char* s) : type_(Type::kString), string_(s) {}
  Json(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Json(std::string_view s) : type_(Type::kString), string_(s) {}
  Json(Array a) : type_(Type::kArray), array_(std::move(a)) {}
  static Json MakeObject() { Json j; j.type_ = Type::kObject; return j; }
  static Json MakeArray() { Json j; j.type_ = Type::kArray; return j; }
  template <typename T>
  static Json ArrayOf(const std::vector<T>& v) {
    Json j = MakeArray();
    for (const auto& x : v) j.push_back(Json(x));
    return j;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_bool() const { return type_ == Type::kBool; }

  // Accessors throw hl::Error("json", ...) on a type mismatch.
  double number() const;
  bool boolean() const;
  const std::string& str() const;
  const Array& array() const;
  const Object& object() const;

  // Object access. operator[] inserts (the value becomes an object if null).
  Json& operator[](const std::string& key);
  const Json* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  const Json& at(std::string_view key) const;  // throws when absent

  void push_back(Json v);
  size_t size() const;

  // Compact when indent < 0, else pretty with that many spaces.
  std::string Dump(int indent = -1) const;
  // Throws hl::Error(source_name, "line L: ...") on malformed input.
  static Json Parse(std::string_view text, const std::string& source_name = "json");

 private:
  void DumpTo(std::string* out, int indent, int depth) const;

  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0.0;
  std::string string_;
  Array array_;
  Object object_;
};

// Shortest text that reads back to exactly the same double.
std::string FormatDouble(double v);

// `s` in double quotes with \" \\ \n \t escaped and other control bytes
// written as `control_prefix` + two hex digits ("\\u00" for TOML, "\\x" for
// YAML).
std::string QuoteEscaped(std::string_view s, const char* control_prefix);

}  // namespace hl
