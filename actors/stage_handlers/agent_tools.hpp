// An agent stage's file tools (issue 17 item 4), confined to the run's
// working directory: a path is resolved against it with every symlink of
// what exists followed, and refused when the result leaves it (`..`, an
// absolute path elsewhere, a symlink out). Small, bounded file I/O.
#pragma once

#include <filesystem>
#include <string>

#include "model/result.hpp"

namespace fabro::actors {

struct tool_output {
  std::string text;
  bool is_error = false;
};

// `path` inside `work_dir`, resolved; errc::invalid_request ("Path '…' is
// outside the working directory") when it leaves it.
model::result<std::filesystem::path> confine(const std::string& work_dir, const std::string& path);

tool_output read_file_tool(const std::string& work_dir, const std::string& path);  // ≤ 256 KiB
tool_output write_file_tool(const std::string& work_dir, const std::string& path,
                            const std::string& content);
tool_output list_dir_tool(const std::string& work_dir, const std::string& path);  // "name" / "name/"

}  // namespace fabro::actors
