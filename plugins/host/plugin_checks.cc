#include "plugins/host/plugin_checks.h"

#include <algorithm>
#include <cstring>

namespace hl::plugin_detail {

bool BoundedString(const char* s, size_t max, std::string* out) {
  if (s == nullptr) return false;
  const size_t n = strnlen(s, max + 1);
  if (n > max) return false;
  *out = std::string(s, n);
  return true;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> SplitAlternatives(const std::string& entry) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t bar = entry.find('|', start);
    out.push_back(entry.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace hl::plugin_detail
