#include "model/workflow/handler_type.hpp"

namespace fabro::model {

const char* to_string(handler_type t) {
  switch (t) {
    case handler_type::start: return "start";
    case handler_type::exit: return "exit";
    case handler_type::agent: return "agent";
    case handler_type::prompt: return "prompt";
    case handler_type::command: return "command";
    case handler_type::human: return "human";
    case handler_type::conditional: return "conditional";
    case handler_type::parallel: return "parallel";
    case handler_type::fan_in: return "parallel.fan_in";
    case handler_type::wait: return "wait";
    case handler_type::manager_loop: return "stack.manager_loop";
  }
  return "agent";
}

std::optional<handler_type> handler_type_from_type(std::string_view type) {
  if (type == "start") return handler_type::start;
  if (type == "exit") return handler_type::exit;
  if (type == "agent" || type == "agent_loop") return handler_type::agent;
  if (type == "prompt" || type == "one_shot") return handler_type::prompt;
  if (type == "command" || type == "tool") return handler_type::command;
  if (type == "human") return handler_type::human;
  if (type == "conditional") return handler_type::conditional;
  if (type == "parallel") return handler_type::parallel;
  if (type == "parallel.fan_in") return handler_type::fan_in;
  if (type == "wait") return handler_type::wait;
  if (type == "stack.manager_loop") return handler_type::manager_loop;
  return std::nullopt;
}

std::optional<handler_type> handler_type_from_shape(std::string_view shape) {
  if (shape == "Mdiamond") return handler_type::start;
  if (shape == "Msquare") return handler_type::exit;
  if (shape == "box") return handler_type::agent;
  if (shape == "tab") return handler_type::prompt;
  if (shape == "parallelogram") return handler_type::command;
  if (shape == "hexagon") return handler_type::human;
  if (shape == "diamond") return handler_type::conditional;
  if (shape == "component") return handler_type::parallel;
  if (shape == "tripleoctagon") return handler_type::fan_in;
  if (shape == "insulator") return handler_type::wait;
  if (shape == "house") return handler_type::manager_loop;
  return std::nullopt;
}

bool is_known_handler_type(std::string_view type) {
  return handler_type_from_type(type).has_value();
}

handler_type resolve_handler_type(std::string_view type,
                                  std::string_view shape) {
  if (auto t = handler_type_from_type(type)) return *t;
  if (auto s = handler_type_from_shape(shape.empty() ? "box" : shape)) {
    return *s;
  }
  return handler_type::agent;
}

}  // namespace fabro::model
