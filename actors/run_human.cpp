// The run's own human gate (engine reference §3.2, fabro-events.md §5.1):
// asks, lists the open question, takes an answer. The contract is the run
// actor's (actors/run.hpp: answer_atom, questions_atom).
#include <algorithm>

#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/run_state.hpp"
#include "model/engine/human_gate.hpp"
#include "model/json_writer.hpp"

namespace fabro::actors {

using model::json_writer;

void ask_human(run_pointer self, const model::graph_node& node,
               const model::stage_request& req) {
  auto& st = self->state;
  st.question_id = req.stage_id;
  std::replace(st.question_id.begin(), st.question_id.end(), '@', '-');
  st.question_at_ms = now_ms();
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
       node.id, node.label(), req.stage_id);
  emit(self, "interview.started", q.take(), node.id, node.label(), req.stage_id);
  st.wait = waiting::human;
  commit_pending(self, nullptr);
}

void answer(run_pointer self, record_promise& promise, const std::string& qid,
            const model::human_answer& given) {
  auto& st = self->state;
  if (st.wait != waiting::human || qid != st.question_id) {
    promise.deliver(to_error(model::errc::conflict, kQuestionGone));
    return;
  }
  const auto* node = st.exec->graph().find_node(st.stage.node_id);
  auto outcome = model::answer_outcome(st.exec->graph(), *node, given);
  if (!outcome) {
    promise.deliver(to_error(outcome.error()));
    return;
  }
  json_writer done;
  done.begin_object().field("question_id", qid).field("question", node->label())
      .field("answer", model::answer_text(given)).key("duration_ms")
      .value(std::max<int64_t>(0, now_ms() - st.question_at_ms)).end_object();
  emit(self, "interview.completed", done.take(), node->id, node->label(), st.stage.stage_id);
  emit(self, "run.unblocked", object({{"question_id", qid}}), node->id, node->label(),
       st.stage.stage_id);
  st.question_id.clear();
  st.wait = waiting::nothing;
  commit_pending(self, [=, o = std::move(*outcome)]() mutable {
    promise.deliver(self->state.committed);
    complete(self, std::move(o));
  });
}

std::string open_questions(run_pointer self) {
  auto& st = self->state;
  if (st.wait != waiting::human || st.question_id.empty()) return "[]";
  const auto* node = st.exec->graph().find_node(st.stage.node_id);
  return "[" +
         model::api_question_json(st.question_id, *node,
                                  model::question_of(st.exec->graph(), *node)) +
         "]";
}

}  // namespace fabro::actors
