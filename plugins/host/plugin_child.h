#pragma once

// A plugin's batch score() run in a child process, so a plugin that crashes
// (a null pointer, a stack overflow, abort()) or never returns costs its score,
// not the host: the recording, the session and the viewer stay. The host's C++
// checks of the plugin's output run in the child too; the parent gets the
// checked PluginScore (or the hl::Error) over a pipe.
//
// Environment: HINGELAB_PLUGIN_TIMEOUT_S (default 60) bounds a score;
// HINGELAB_PLUGIN_IN_PROCESS=1 calls it in-process (to debug a plugin).

#include <functional>
#include <string>

#include "plugins/host/plugin_host.h"

namespace hl::plugin_detail {

// Runs `score` in a forked child and returns what it returned. Throws
// hl::Error(where, ...) for what it threw, and when the child dies by a signal
// or runs past the timeout (then it is killed). Without fork (it failed), runs
// `score` here.
PluginScore ScoreInChild(const std::string& where, const std::function<PluginScore()>& score);

// The encoding of the pipe, exposed for its test.
std::string EncodeScore(const PluginScore& score);
// Throws hl::Error(where, ...) for bytes that are not a whole encoding.
PluginScore DecodeScore(const std::string& bytes, const std::string& where);

}  // namespace hl::plugin_detail
