// GDAL's C API: datasets and drivers (gdal.h), OGR layers, features and geometries
// (ogr_api.h, ogr_srs_api.h), and CPL's error stack and configuration (cpl_error.h, cpl_conv.h).
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <cpl_conv.h>
#include <cpl_string.h>
