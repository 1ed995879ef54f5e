#include "model/run_board.hpp"

#include "model/json_writer.hpp"
#include "model/timestamp.hpp"

namespace fabro::model {

std::optional<std::string> board_column(run_status s) {
  switch (s) {
    case run_status::running: return "working";
    case run_status::paused: return "pending";
    case run_status::completed: return "merge";
    default: return std::nullopt;
  }
}

std::vector<run_status> board_statuses() {
  return {run_status::running, run_status::paused, run_status::completed};
}

std::string board_page_json(const std::vector<run_record>& runs, bool has_more) {
  json_writer w;
  w.begin_object().key("data").begin_array();
  for (const auto& r : runs) {
    auto path = r.host_repo_path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    auto slash = path.rfind('/');
    auto repo = slash == std::string::npos ? path : path.substr(slash + 1);
    w.begin_object()
        .field("id", r.id)
        .key("repository").begin_object().field("name", repo.empty() ? "/" : repo).end_object()
        .field("title", r.goal.empty() ? r.workflow_name : r.goal)
        .key("workflow").begin_object().field("slug", r.workflow_name).end_object()
        .field("status", board_column(r.status).value_or("working"))
        .field("created_at", format_rfc3339_ms(r.created_at_ms))
        .end_object();
  }
  w.end_array().key("meta").begin_object().field("has_more", has_more).end_object().end_object();
  return w.take();
}

}  // namespace fabro::model
