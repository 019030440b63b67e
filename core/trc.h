#pragma once

// TRC (OpenSim marker file) reader and writer. Written in millimetres; read in
// mm, m or cm as the header's Units says. TRC has no residuals: samples read
// from TRC are valid (residual 0) or missing (empty fields).

#include <filesystem>
#include <string>
#include <string_view>

#include "core/recording.h"

namespace hl {

Recording ReadTrc(const std::filesystem::path& path);
Recording ParseTrc(std::string_view text, const std::string& name);
void WriteTrc(const std::filesystem::path& path, const Recording& recording);
std::string SerializeTrc(const Recording& recording);

}  // namespace hl
