#include "actors/errors.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>

#include "actors/message_types.hpp"

namespace fabro::actors {

namespace {
constexpr caf::atom_value kCategory = caf::atom("fabro");
}

caf::error to_error(model::problem p) {
  // code 0 means "no error" in CAF, so shift by one.
  auto code = static_cast<uint8_t>(static_cast<int>(p.code) + 1);
  return caf::error(code, kCategory, caf::make_message(std::move(p)));
}

caf::error to_error(model::errc code, std::string detail) {
  return to_error(model::make_problem(code, std::move(detail)));
}

model::problem to_problem(const caf::error& err) {
  if (err.category() == kCategory && err.context().match_elements<model::problem>())
    return err.context().get_as<model::problem>(0);
  return model::make_problem(model::errc::unavailable, "The service is unavailable.");
}

}  // namespace fabro::actors
