#include "model/run_stages.hpp"

#include <map>
#include <optional>
#include <vector>

#include <simdjson.h>

#include "model/json_writer.hpp"
#include "model/timestamp.hpp"

namespace fabro::model {
namespace {

struct stage {
  std::string id, node, name;
  std::string status = "running";
  std::optional<int64_t> started_ms;
  std::optional<double> duration_secs;
};

}  // namespace

struct run_stages::state {
  simdjson::dom::parser parser;
  std::vector<stage> stages;              // first started first
  std::map<std::string, size_t> by_id;    // stage id -> index

  void end(stage& s, const char* status, std::optional<int64_t> at_ms) {
    s.status = status;
    if (!s.duration_secs && s.started_ms && at_ms)
      s.duration_secs = static_cast<double>(std::max<int64_t>(0, *at_ms - *s.started_ms)) / 1000;
  }
};

run_stages::run_stages() : s_(std::make_unique<state>()) {}
run_stages::~run_stages() = default;

result<done> run_stages::apply(std::string_view envelope) {
  auto& s = *s_;
  simdjson::dom::element env;
  std::string_view name;
  if (s.parser.parse(envelope.data(), envelope.size()).get(env) || !env.is_object() ||
      env["event"].get(name))
    return make_problem(errc::store_damaged, "a stored event is not an event envelope");
  std::string_view ts, id, node, label;
  std::optional<int64_t> at_ms;
  if (!env["ts"].get(ts)) at_ms = parse_rfc3339_ms(ts);
  simdjson::dom::element props;
  bool has_props = !env["properties"].get(props) && props.is_object();
  if (name == "run.failed") {
    std::string_view reason;
    bool cancelled = has_props && !props["reason"].get(reason) && reason == "cancelled";
    for (auto& st : s.stages)
      if (st.status == "running") s.end(st, cancelled ? "cancelled" : "failed", at_ms);
    return done{};
  }
  if (name.rfind("stage.", 0) != 0 || env["stage_id"].get(id) || id.empty()) return done{};
  auto [it, fresh] = s.by_id.try_emplace(std::string(id), s.stages.size());
  if (fresh) {
    stage st;
    st.id = std::string(id);
    if (!env["node_id"].get(node)) st.node = std::string(node);
    st.name = !env["node_label"].get(label) && !label.empty() ? std::string(label) : st.node;
    s.stages.push_back(std::move(st));
  }
  auto& st = s.stages[it->second];
  if (name == "stage.started") {
    if (!st.started_ms) st.started_ms = at_ms;
    st.status = "running";
  } else if (name == "stage.completed") {
    uint64_t ms = 0;
    if (has_props && !props["duration_ms"].get(ms)) st.duration_secs = static_cast<double>(ms) / 1000;
    s.end(st, "completed", at_ms);
  } else if (name == "stage.failed") {
    bool will_retry = false;
    if (!(has_props && !props["will_retry"].get(will_retry) && will_retry))
      s.end(st, "failed", at_ms);
  }
  return done{};
}

bool run_stages::has(const std::string& stage_id) const { return s_->by_id.count(stage_id) > 0; }

std::string run_stages::json(uint64_t offset, uint64_t limit) const {
  const auto& all = s_->stages;
  json_writer w;
  w.begin_object().key("data").begin_array();
  for (uint64_t i = offset; i < all.size() && i < offset + limit; ++i) {
    const auto& st = all[i];
    w.begin_object().field("id", st.id).field("name", st.name).field("status", st.status);
    if (st.duration_secs) w.field("duration_secs", *st.duration_secs);
    if (!st.node.empty()) w.field("dot_id", st.node);
    w.end_object();
  }
  w.end_array().key("meta").begin_object()
      .field("has_more", offset + limit < all.size()).end_object().end_object();
  return w.take();
}

}  // namespace fabro::model
