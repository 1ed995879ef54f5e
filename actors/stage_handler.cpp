#include "actors/stage_handler.hpp"

#include "model/json_writer.hpp"

namespace fabro::actors {

namespace {

// The executor's own handlers: they route, fan out and join.
bool executors_own(model::handler_type t) {
  switch (t) {
    case model::handler_type::start:
    case model::handler_type::exit:
    case model::handler_type::conditional:
    case model::handler_type::parallel:
    case model::handler_type::fan_in: return true;
    default: return false;
  }
}

}  // namespace

std::string handler_key(const model::graph_node& node, const stage_handlers& registered) {
  auto type = node.type();
  if (!type.empty() && registered.count(type)) return type;
  return model::to_string(node.handler());
}

bool goes_to_handler(const model::graph_node& node, const stage_handlers& registered) {
  return !executors_own(node.handler()) && registered.count(handler_key(node, registered)) > 0;
}

model::stage_outcome to_outcome(const stage_reply& reply) {
  model::stage_outcome o;
  if (reply.status == model::stage_status::failed) {
    auto message = reply.failure_message.empty() ? std::string("Stage handler failed")
                                                 : reply.failure_message;
    o = model::failed_outcome(std::move(message), reply.retryable ? model::retry_kind::error
                                                                  : model::retry_kind::none);
  } else {
    o.status = reply.status;
  }
  o.notes = reply.notes;
  o.context_updates = reply.context_updates;
  o.preferred_label = reply.preferred_label;
  o.suggested_next_ids = reply.suggested_next_ids;
  o.billing_json = billing_json(reply.usage);
  return o;
}

stage_reply to_reply(model::stage_outcome o) {
  stage_reply r;
  r.status = o.status;
  r.notes = std::move(o.notes);
  r.context_updates = std::move(o.context_updates);
  r.preferred_label = std::move(o.preferred_label);
  r.suggested_next_ids = std::move(o.suggested_next_ids);
  r.failure_message = std::move(o.failure_message);
  r.retryable = o.retry != model::retry_kind::none;
  return r;
}

std::string billing_json(const stage_usage& u) {
  if (u.input_tokens == 0 && u.output_tokens == 0 && u.cache_read_tokens == 0) return "";
  model::json_writer w;
  w.begin_object().key("input").begin_object().key("usage").begin_object();
  w.key("model").begin_object().field("provider", u.provider).field("model_id", u.model)
      .end_object();
  w.key("tokens").begin_object().field("input_tokens", u.input_tokens)
      .field("output_tokens", u.output_tokens).field("cache_read_tokens", u.cache_read_tokens)
      .end_object();
  w.end_object().key("facts").begin_object().field("provider", u.provider).end_object();
  w.end_object().end_object();
  return w.take();
}

}  // namespace fabro::actors
