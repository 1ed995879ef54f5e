#include "model/workflow/manifest_path.hpp"

#include <vector>

namespace fabro::model {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& segs, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < segs.size(); ++i) {
    if (!out.empty()) out += '/';
    out += segs[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> normalize_manifest_path(std::string_view path) {
  if (path.empty() || path[0] == '/' || path[0] == '~') return std::nullopt;
  std::vector<std::string> out;
  for (auto& seg : split(path)) {
    if (seg.empty() || seg == ".") continue;
    // A `..` folds a real segment; with nothing to fold it stays (outside cwd).
    if (seg == ".." && !out.empty() && out.back() != "..") {
      out.pop_back();
      continue;
    }
    out.push_back(std::move(seg));
  }
  if (out.empty()) return std::nullopt;
  return join(out);
}

std::string manifest_dir(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

std::optional<std::string> join_manifest_path(std::string_view dir,
                                              std::string_view reference) {
  if (reference.empty() || reference[0] == '/' || reference[0] == '~')
    return std::nullopt;
  if (dir.empty()) return normalize_manifest_path(reference);
  return normalize_manifest_path(std::string(dir) + "/" + std::string(reference));
}

std::string relative_manifest_path(std::string_view dir, std::string_view path) {
  if (dir.empty()) return std::string(path);
  auto d = split(dir), p = split(path);
  std::size_t common = 0;
  while (common < d.size() && common + 1 < p.size() && d[common] == p[common]) ++common;
  std::string out;
  for (std::size_t i = common; i < d.size(); ++i) out += "../";
  return out + join(p, common);
}

}  // namespace fabro::model
