#pragma once

// Checks on what a plugin hands the host across the C ABI (strings in its
// memory, identifiers, segment alternatives), shared by the loader
// (plugin_host.cc), the scoring calls (plugin_instance.cc) and the score's
// "not assessable" notes (drill_score.cc). Internal.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hl::plugin_detail {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxTextLength = 1024;

// A string from plugin memory: non-null and NUL-terminated within `max` bytes.
// (A wild pointer can still fault; nothing in-process can guard against that.)
bool BoundedString(const char* s, size_t max, std::string* out);

// Lower-case letters, digits and '_', at most kMaxNameLength long.
bool IsIdentifier(const std::string& s);

bool Contains(const std::vector<std::string>& v, std::string_view s);

// "knee_left|knee_right" -> {"knee_left", "knee_right"}.
std::vector<std::string> SplitAlternatives(const std::string& entry);

}  // namespace hl::plugin_detail
