// cairo draws (PDF, SVG and PNG surfaces); pango shapes and lays out text onto it.
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>
