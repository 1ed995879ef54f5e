#include "actors/stage_handlers/agent_tools.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace fabro::actors {

namespace fs = std::filesystem;

namespace {

constexpr std::streamsize kReadLimit = 256 * 1024;

tool_output error(std::string why) { return {std::move(why), true}; }

}  // namespace

model::result<fs::path> confine(const std::string& work_dir, const std::string& path) {
  std::error_code ec;
  auto root = fs::canonical(work_dir, ec);
  if (ec) return model::make_problem(model::errc::invalid_request,
                                     "The working directory cannot be resolved");
  auto target = fs::weakly_canonical(fs::path(path).is_absolute() ? fs::path(path) : root / path, ec);
  if (ec || std::mismatch(root.begin(), root.end(), target.begin(), target.end()).first != root.end())
    return model::make_problem(model::errc::invalid_request,
                               "Path '" + path + "' is outside the working directory");
  return target;
}

tool_output read_file_tool(const std::string& work_dir, const std::string& path) {
  auto p = confine(work_dir, path);
  if (!p) return error(p.error().detail);
  std::ifstream in(*p, std::ios::binary);
  if (!in) return error("Cannot read '" + path + "'");
  std::string text(static_cast<size_t>(kReadLimit), '\0');
  in.read(text.data(), kReadLimit);
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.peek() != EOF) text += "\n[truncated at 256 KiB]";
  return {text, false};
}

tool_output write_file_tool(const std::string& work_dir, const std::string& path,
                            const std::string& content) {
  auto p = confine(work_dir, path);
  if (!p) return error(p.error().detail);
  std::error_code ec;
  fs::create_directories(p->parent_path(), ec);
  std::ofstream out(*p, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(content.data(), static_cast<std::streamsize>(content.size())))
    return error("Cannot write '" + path + "'");
  return {"Wrote " + std::to_string(content.size()) + " bytes to " + path, false};
}

tool_output list_dir_tool(const std::string& work_dir, const std::string& path) {
  auto p = confine(work_dir, path.empty() ? "." : path);
  if (!p) return error(p.error().detail);
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(*p, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string() + (it->is_directory() ? "/" : ""));
  if (ec) return error("Cannot list '" + path + "'");
  std::sort(names.begin(), names.end());
  std::ostringstream out;
  for (const auto& n : names) out << n << "\n";
  return {out.str(), false};
}

}  // namespace fabro::actors
