#include "model/json_writer.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("the JSON writer places commas and escapes strings", "[model]") {
  json_writer w;
  w.begin_object()
      .field("a", "x\"y\\z\n")
      .field("n", int64_t{-3})
      .field("b", true)
      .field_null("z")
      .key("arr").begin_array().value(1).value("\x01").begin_object().end_object().end_array()
      .end_object();
  CHECK(w.str() ==
        R"({"a":"x\"y\\z\n","n":-3,"b":true,"z":null,"arr":[1,"\u0001",{}]})");
}
