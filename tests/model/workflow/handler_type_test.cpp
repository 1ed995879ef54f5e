#include "model/workflow/handler_type.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("every shape of the table maps to its handler", "[handler]") {
  CHECK(handler_type_from_shape("Mdiamond") == handler_type::start);
  CHECK(handler_type_from_shape("Msquare") == handler_type::exit);
  CHECK(handler_type_from_shape("box") == handler_type::agent);
  CHECK(handler_type_from_shape("tab") == handler_type::prompt);
  CHECK(handler_type_from_shape("parallelogram") == handler_type::command);
  CHECK(handler_type_from_shape("hexagon") == handler_type::human);
  CHECK(handler_type_from_shape("diamond") == handler_type::conditional);
  CHECK(handler_type_from_shape("component") == handler_type::parallel);
  CHECK(handler_type_from_shape("tripleoctagon") == handler_type::fan_in);
  CHECK(handler_type_from_shape("insulator") == handler_type::wait);
  CHECK(handler_type_from_shape("house") == handler_type::manager_loop);
  CHECK_FALSE(handler_type_from_shape("ellipse"));
}

TEST_CASE("type strings and their legacy aliases are registered",
          "[handler]") {
  for (auto t : {"start", "exit", "agent", "agent_loop", "prompt", "one_shot",
                 "human", "conditional", "parallel", "parallel.fan_in",
                 "command", "tool", "stack.manager_loop", "wait"}) {
    INFO(t);
    CHECK(is_known_handler_type(t));
  }
  CHECK(handler_type_from_type("agent_loop") == handler_type::agent);
  CHECK(handler_type_from_type("one_shot") == handler_type::prompt);
  CHECK(handler_type_from_type("tool") == handler_type::command);
  CHECK_FALSE(is_known_handler_type("robot"));
  CHECK_FALSE(is_known_handler_type("fan_in"));
}

TEST_CASE("a registered type wins over the shape, then the shape, then "
          "agent", "[handler]") {
  CHECK(resolve_handler_type("human", "box") == handler_type::human);
  CHECK(resolve_handler_type("robot", "tab") == handler_type::prompt);
  CHECK(resolve_handler_type("", "ellipse") == handler_type::agent);
  CHECK(resolve_handler_type("", "") == handler_type::agent);
}

TEST_CASE("handler names are Fabro's type strings", "[handler]") {
  CHECK(std::string(to_string(handler_type::fan_in)) == "parallel.fan_in");
  CHECK(std::string(to_string(handler_type::manager_loop)) ==
        "stack.manager_loop");
  CHECK(is_llm_handler(handler_type::prompt));
  CHECK_FALSE(is_llm_handler(handler_type::command));
}
