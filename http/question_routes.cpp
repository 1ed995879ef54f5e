// Human-in-the-loop: GET /api/v1/runs/{id}/questions lists the open
// questions (Fabro's PaginatedApiQuestionList);
// POST /api/v1/runs/{id}/questions/{qid}/answer answers
// the open question of a run blocked on a human gate (fabro-events.md §5.3).
// Body: Fabro's SubmitAnswerRequest — selected_option_key, else
// selected_option_keys, else value (first present wins) — or, our
// extension, {"answer": "<option label, target node id or free text>"}
// ("text" is its synonym). 204 with no body, as Fabro answers; 404 unknown
// run; 409 "Question no longer exists or was already answered."; 400 for a
// bad body, an unknown key or an answer the question type does not take.
#include <simdjson.h>

#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/engine/human_gate.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;
using model::human_answer;

model::result<human_answer> parse_answer(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  auto bad = [](const char* what) { return model::make_problem(model::errc::invalid_request, what); };
  if (parser.parse(body).get(obj)) return bad("Body must be a JSON object.");
  human_answer a;
  std::string_view text;
  simdjson::dom::array keys;
  if (!obj["selected_option_key"].get(text)) {
    a.how = human_answer::kind::key;
    a.text = std::string(text);
    return a;
  }
  if (!obj["selected_option_keys"].get(keys) && keys.size() > 0) {
    a.how = human_answer::kind::keys;
    for (auto k : keys) {
      if (k.get(text)) return bad("selected_option_keys must be strings.");
      a.keys.emplace_back(text);
    }
    return a;
  }
  if (!obj["value"].get(text)) {
    a.how = human_answer::kind::value;
    a.text = std::string(text);
    return a;
  }
  for (const char* key : {"answer", "text"})
    if (!obj[key].get(text)) {
      a.how = human_answer::kind::legacy_text;
      a.text = std::string(text);
      return a;
    }
  return bad(model::kAnswerRequired);
}

void answer_question(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto qid = req.param(":qid").as<std::string>();
  auto given = parse_answer(req.body());
  if (!given) return rep->send_problem(given.error());
  ask<model::run_record>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, model::run_record&) { r.send_empty(Code::No_Content); },
      actors::answer_atom::value, *id, qid, std::move(*given));
}

// GET /api/v1/runs/{id}/questions: Fabro's PaginatedApiQuestionList, every
// open question at once (as Fabro, page parameters change nothing).
void list_questions(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& items) {
        r.send_json(Code::Ok, "{\"data\":" + items + ",\"meta\":{\"has_more\":false}}");
      },
      actors::questions_atom::value, *id);
}

}  // namespace

std::vector<route> question_routes() {
  return {
      {"GET", "/api/v1/runs/:id/questions", list_questions, route_access::service},
      {"POST", "/api/v1/runs/:id/questions/:qid/answer", answer_question,
       route_access::subject},
  };
}

}  // namespace fabro::http
