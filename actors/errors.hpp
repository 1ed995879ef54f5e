// Public: actors layer (installed for embedders under include/fabro/).
// Problems as CAF errors and back (STYLE §5). A problem travels as an error
// of category "fabro" whose context holds the whole problem; any other CAF
// error (timeout, dead actor) reads back as errc::unavailable.
#pragma once

#include <caf/error.hpp>

#include "model/result.hpp"

namespace fabro::actors {

caf::error to_error(model::problem p);
caf::error to_error(model::errc code, std::string detail);
model::problem to_problem(const caf::error& err);

}  // namespace fabro::actors
