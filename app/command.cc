#include "app/command.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "core/error.h"

namespace hl::app {

std::vector<CommandSpec>& Registry() {
  static std::vector<CommandSpec> commands;
  return commands;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) != 0; }

Args::Args(const CommandSpec& spec, const std::vector<std::string>& argv) : spec_(spec) {
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* opt = nullptr;
    for (const auto& o : spec.options) {
      if (o.name == name) opt = &o;
    }
    if (!opt) throw UsageError("unknown option --" + name + " for '" + spec.name + "'");
    if (opt->takes_value) {
      if (inline_value) {
        options_[name].push_back(*inline_value);
      } else {
        if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
        options_[name].push_back(argv[++i]);
      }
    } else {
      if (inline_value) throw UsageError("option --" + name + " takes no value");
      options_[name].push_back("");
    }
  }
  if (spec.max_positional >= 0 && static_cast<int>(positional_.size()) > spec.max_positional) {
    throw UsageError("too many arguments for '" + spec.name + "'");
  }
}

bool Args::has(const std::string& name) const { return options_.count(name) > 0; }

const std::string& Args::value(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end() || it->second.empty()) throw UsageError("missing required option --" + name);
  // A second value of a one-value option is a slip (which one was meant?),
  // not something to settle silently; repeatable options are read by values().
  if (it->second.size() > 1) {
    throw UsageError("--" + name + " given " + std::to_string(it->second.size()) +
                     " times ('" + it->second.front() + "', '" + it->second.back() +
                     "'); give it once");
  }
  return it->second.back();
}

std::string Args::value_or(const std::string& name, const std::string& fallback) const {
  return has(name) ? value(name) : fallback;
}

std::vector<std::string> Args::values(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

double Args::number(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string& s = value(name);
  double v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) {
    throw UsageError("option --" + name + " expects a number, got '" + s + "'");
  }
  return v;
}

std::pair<std::string, std::string> SplitNameValue(const std::string& text, const std::string& option) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError("--" + option + " expects NAME=VALUE, got '" + text + "'");
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::pair<int, int> ParseImageSize(const std::string& text) {
  int w = 0, h = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &w, &h, &extra) != 2 || w < 16 || h < 16 || w > 8192 ||
      h > 8192) {
    throw UsageError("--size needs WxH within 16x16-8192x8192 (e.g. 640x360), not '" + text + "'");
  }
  return {w, h};
}

}  // namespace hl::app
