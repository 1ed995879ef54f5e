#include "model/run_artifacts.hpp"

#include <charconv>

#include "model/json_writer.hpp"

namespace fabro::model {
namespace {

bool has_forbidden(std::string_view s) {
  return s.find('\0') != std::string_view::npos || s.find('\\') != std::string_view::npos;
}

// "stages/<stage>/<rest>" split; false for any other name.
bool split(const std::string& name, std::string_view& stage, std::string_view& rest) {
  std::string_view n(name);
  if (n.rfind("stages/", 0) != 0) return false;
  n.remove_prefix(7);
  auto slash = n.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  stage = n.substr(0, slash);
  rest = n.substr(slash + 1);
  return !rest.empty();
}

}  // namespace

result<done> check_artifact_path(std::string_view path) {
  auto bad = [] { return make_problem(errc::invalid_request, kBadFilename); };
  if (path.empty() || path.size() > 1024 || path.front() == '/' || has_forbidden(path))
    return bad();
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                   : slash - start);
    if (part.empty() || part == "." || part == "..") return bad();
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return done{};
}

result<done> check_stage_id(std::string_view stage_id) {
  if (stage_id.empty() || stage_id.size() > 256 || stage_id.find('/') != std::string_view::npos ||
      has_forbidden(stage_id))
    return make_problem(errc::invalid_request, kBadStageId);
  return done{};
}

std::string artifact_name(const std::string& stage_id, const std::string& path) {
  return "stages/" + stage_id + "/" + path;
}

std::string run_artifacts_json(const std::vector<stored_artifact>& artifacts) {
  json_writer w;
  w.begin_object().key("data").begin_array();
  for (const auto& a : artifacts) {
    std::string_view stage, rest;
    if (!split(a.name, stage, rest)) continue;
    int64_t retry = 0;
    if (rest.rfind("attempt-", 0) == 0) {
      int64_t attempt = 0;
      auto digits = rest.substr(8, rest.find('/') - 8);
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), attempt);
      if (r.ec == std::errc() && attempt > 0) retry = attempt - 1;
    }
    w.begin_object()
        .field("stage_id", stage)
        .field("node_slug", stage.substr(0, stage.find('@')))
        .field("retry", retry)
        .field("relative_path", rest)
        .field("size", a.size)
        .end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string stage_artifacts_json(const std::vector<stored_artifact>& artifacts,
                                 const std::string& stage_id) {
  json_writer w;
  w.begin_object().key("data").begin_array();
  for (const auto& a : artifacts) {
    std::string_view stage, rest;
    if (split(a.name, stage, rest) && stage == stage_id)
      w.begin_object().field("filename", rest).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace fabro::model
