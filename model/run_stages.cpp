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
  // The model usage stage.completed billed ("" = none).
  std::string model_id;
  int64_t input_tokens = 0, output_tokens = 0, cache_read_tokens = 0;
};

int64_t int_at(simdjson::dom::element e, const char* key) {
  int64_t v = 0;
  return e[key].get(v) ? 0 : v;
}

// stage.completed's `billing` (Fabro's BilledModelUsage, as the stage
// handlers write it: input.usage.{model.model_id, tokens}).
void read_billing(simdjson::dom::element props, stage& st) {
  simdjson::dom::element usage, tokens;
  std::string_view model;
  if (props.at_pointer("/billing/input/usage").get(usage) || usage["tokens"].get(tokens))
    return;
  if (!usage.at_pointer("/model/model_id").get(model)) st.model_id = std::string(model);
  st.input_tokens = int_at(tokens, "input_tokens");
  st.output_tokens = int_at(tokens, "output_tokens");
  st.cache_read_tokens = int_at(tokens, "cache_read_tokens");
}

// BilledTokenCounts.
void counts(json_writer& w, int64_t in, int64_t out, int64_t cache) {
  w.begin_object().field("input_tokens", in).field("output_tokens", out)
      .field("total_tokens", in + out).field("reasoning_tokens", int64_t{0})
      .field("cache_read_tokens", cache).field("cache_write_tokens", int64_t{0})
      .field_null("total_usd_micros").end_object();
}

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
    if (has_props) read_billing(props, st);
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

std::string run_stages::billing_json(int64_t run_duration_ms) const {
  struct sum {
    int64_t stages = 0, in = 0, out = 0, cache = 0;
  };
  std::map<std::string, sum> by_model;
  sum total;
  json_writer w;
  w.begin_object().key("stages").begin_array();
  for (const auto& st : s_->stages) {
    if (st.model_id.empty() && st.input_tokens == 0 && st.output_tokens == 0) continue;
    w.begin_object().key("stage").begin_object().field("id", st.id).field("name", st.name)
        .end_object().key("model").begin_object().field("id", st.model_id).end_object()
        .key("billing");
    counts(w, st.input_tokens, st.output_tokens, st.cache_read_tokens);
    w.field("runtime_secs", st.duration_secs.value_or(0.0)).end_object();
    auto& m = by_model[st.model_id];
    for (auto* x : {&m, &total}) {
      ++x->stages;
      x->in += st.input_tokens;
      x->out += st.output_tokens;
      x->cache += st.cache_read_tokens;
    }
  }
  w.end_array().key("totals").begin_object()
      .field("runtime_secs", static_cast<double>(std::max<int64_t>(run_duration_ms, 0)) / 1000.0)
      .field("input_tokens", total.in).field("output_tokens", total.out)
      .field("total_tokens", total.in + total.out).field("reasoning_tokens", int64_t{0})
      .field("cache_read_tokens", total.cache).field("cache_write_tokens", int64_t{0})
      .field_null("total_usd_micros").end_object();
  w.key("by_model").begin_array();
  for (const auto& [model, m] : by_model) {
    w.begin_object().key("model").begin_object().field("id", model).end_object()
        .field("stages", m.stages).key("billing");
    counts(w, m.in, m.out, m.cache);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace fabro::model
