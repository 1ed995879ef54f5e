// The run as its stages' interviewer (the seam's question, contract in
// actors/stage_handler.hpp; the API in actors/run.hpp: answer_atom,
// questions_atom): publishes a handler's question as Fabro's human gate
// does (engine reference §3.2, fabro-events.md §5.1), takes the answer,
// lists the open question.
#include <algorithm>

#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/run_state.hpp"
#include "model/json_writer.hpp"

namespace fabro::actors {

using model::json_writer;

namespace {

const model::graph_node& stage_node(run_pointer self) {
  return *self->state.exec->graph().find_node(self->state.stage.node_id);
}

}  // namespace

void ask(run_pointer self, const std::string& stage_id, answer_promise promise) {
  auto& st = self->state;
  if (st.wait != waiting::handler || stage_id != st.stage.stage_id || !st.question_id.empty()) {
    promise.deliver(to_error(model::errc::conflict,
                             "Stage " + stage_id + " is not being carried out or already asks"));
    return;
  }
  const auto& node = stage_node(self);
  st.question_id = stage_id;
  std::replace(st.question_id.begin(), st.question_id.end(), '@', '-');
  st.question_at_ms = now_ms();
  st.asker = promise;
  // Fabro's InterviewStartedProps (fabro-events.md §3.3, §5.1).
  auto question = model::question_of(st.exec->graph(), node);
  json_writer q;
  q.begin_object().field("question_id", st.question_id).field("question", node.label())
      .field("stage", node.id).field("question_type", question.type())
      .key("options").begin_array();
  for (const auto& o : question.options)
    q.begin_object().field("key", o.key).field("label", o.label).end_object();
  q.end_array().key("allow_freeform").value(question.allow_freeform).end_object();
  emit(self, "run.blocked",
       object({{"blocked_reason", "human_input_required"}, {"question_id", st.question_id}}),
       node.id, node.label(), stage_id);
  emit(self, "interview.started", q.take(), node.id, node.label(), stage_id);
  commit_pending(self, nullptr);
}

void answer(run_pointer self, record_promise& promise, const std::string& qid,
            const model::human_answer& given) {
  auto& st = self->state;
  if (st.question_id.empty() || qid != st.question_id) {
    promise.deliver(to_error(model::errc::conflict, kQuestionGone));
    return;
  }
  const auto& node = stage_node(self);
  auto chosen = model::resolve_answer(model::gate_choices(st.exec->graph(), node), given);
  if (!chosen) {
    promise.deliver(to_error(chosen.error()));
    return;
  }
  json_writer done;
  done.begin_object().field("question_id", qid).field("question", node.label())
      .field("answer", model::answer_text(given)).key("duration_ms")
      .value(std::max<int64_t>(0, now_ms() - st.question_at_ms)).end_object();
  emit(self, "interview.completed", done.take(), node.id, node.label(), st.stage.stage_id);
  emit(self, "run.unblocked", object({{"question_id", qid}}), node.id, node.label(),
       st.stage.stage_id);
  st.question_id.clear();
  // The asker hears the answer once it is durable (undone, it stays open).
  commit_pending(self, [=, a = std::move(*chosen)]() mutable {
    promise.deliver(self->state.committed);
    if (auto asker = std::exchange(self->state.asker, std::nullopt)) asker->deliver(std::move(a));
  });
}

void close_question(run_pointer self) {
  auto& st = self->state;
  if (!st.question_id.empty() && st.live.pending_control != model::control_action::cancel) {
    const auto& node = stage_node(self);
    json_writer w;
    w.begin_object().field("question_id", st.question_id).field("question", node.label())
        .field("stage", node.id).field("reason", "interrupted").key("duration_ms")
        .value(std::max<int64_t>(0, now_ms() - st.question_at_ms)).end_object();
    emit(self, "interview.interrupted", w.take(), node.id, node.label(), st.stage.stage_id);
  }
  st.question_id.clear();
  if (auto asker = std::exchange(st.asker, std::nullopt))
    asker->deliver(to_error(model::errc::conflict, kQuestionGone));
}

std::string open_questions(run_pointer self) {
  auto& st = self->state;
  if (st.question_id.empty()) return "[]";
  const auto& node = stage_node(self);
  return "[" +
         model::api_question_json(st.question_id, node,
                                  model::question_of(st.exec->graph(), node)) +
         "]";
}

}  // namespace fabro::actors
