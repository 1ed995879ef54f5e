// Human-in-the-loop: POST /api/v1/runs/{id}/questions/{qid}/answer answers
// the open question of a run blocked on a human gate (engine reference
// §3.2). Body: {"answer": "<option label, target node id, or free text>"}
// ("value" and "text" are accepted as synonyms). 200 with the run summary;
// 404 unknown run; 409 no such open question; 400 bad body or an answer
// that matches no option.
#include <simdjson.h>

#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/run_json.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

model::result<std::string> parse_answer(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj))
    return model::make_problem(model::errc::invalid_request, "Body must be a JSON object.");
  for (const char* key : {"answer", "value", "text"}) {
    std::string_view text;
    if (!obj[key].get(text)) return std::string(text);
  }
  return model::make_problem(model::errc::invalid_request,
                             "Body must have a string field \"answer\".");
}

void answer_question(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto qid = req.param(":qid").as<std::string>();
  auto text = parse_answer(req.body());
  if (!text) return rep->send_problem(text.error());
  ask<model::run_record>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, model::run_record& run) { r.send_json(Code::Ok, model::summary_json(run)); },
      actors::answer_atom::value, *id, qid, std::move(*text));
}

}  // namespace

std::vector<route> question_routes() {
  return {
      {"POST", "/api/v1/runs/:id/questions/:qid/answer", answer_question,
       route_access::subject},
  };
}

}  // namespace fabro::http
