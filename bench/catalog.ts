// The bench's catalog: a fresh SQLite file under data/bench-*/, migrated as `npm start` migrates
// (scripts/migrate.ts), filled with a reproducible catalog, and one STAFF account.
//
// Categories and the account are written through the services. Products are written through
// the Prisma client in batches (createMany) rather than one createProduct call each: 10,000
// service calls are 10,000 transactions, each with its category lookup and change event, which
// takes minutes on a small shared machine for no benefit to what is measured. The batches
// store every column the service derives: searchText (src/domain/search-text.ts) and the price
// in micros (src/domain/money.ts); the category `path` is kept by createCategory itself.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { currencyDecimals, decimalToMicros } from "../src/domain/money.ts";
import { productSearchText } from "../src/domain/search-text.ts";
import type { ProductStatus } from "../src/generated/prisma/enums.ts";
import { createAccount } from "../src/services/accounts.ts";
import { createCategory } from "../src/services/categories.ts";
import { createEventBus } from "../src/services/events.ts";

export type Catalog = {
  directory: string;
  databaseFile: string;
  staff: { email: string; password: string };
  /** Database ids of the categories that hold products. */
  leafCategoryIds: number[];
  /** Database ids of the ACTIVE products, oldest first. */
  activeProductIds: number[];
  products: number;
  categories: number;
};

const departments: Record<string, Record<string, string[]>> = {
  Kitchen: {
    Cookware: ["Frying Pan", "Saucepan", "Dutch Oven", "Wok", "Stock Pot"],
    Knives: ["Chef's Knife", "Paring Knife", "Bread Knife", "Santoku", "Honing Steel"],
    Bakeware: ["Loaf Tin", "Baking Sheet", "Cake Ring", "Muffin Tray", "Pie Dish"],
    Utensils: ["Spatula", "Whisk", "Ladle", "Tongs", "Peeler"],
  },
  "Coffee & Tea": {
    Brewers: ["French Press", "Moka Pot", "Pour-Over Dripper", "Cold Brew Jar", "Siphon"],
    Grinders: ["Burr Grinder", "Hand Grinder", "Spice Mill", "Blade Grinder", "Grinder Brush"],
    Kettles: ["Gooseneck Kettle", "Stovetop Kettle", "Electric Kettle", "Travel Kettle", "Tea Kettle"],
    Cups: ["Espresso Cup", "Tea Bowl", "Travel Mug", "Latte Glass", "Teacup"],
  },
  Outdoor: {
    Camping: ["Tent", "Sleeping Bag", "Camp Stove", "Headlamp", "Camp Chair"],
    Hiking: ["Trekking Poles", "Day Pack", "Water Filter", "Map Case", "Gaiters"],
    Garden: ["Pruning Shears", "Watering Can", "Garden Kneeler", "Trowel", "Hose Reel"],
    Picnic: ["Picnic Blanket", "Cool Box", "Picnic Basket", "Flask", "Lantern"],
  },
  Office: {
    Desks: ["Monitor Stand", "Desk Mat", "Cable Tray", "Laptop Riser", "Drawer Unit"],
    Lighting: ["Desk Lamp", "Floor Lamp", "Clip Light", "Light Bar", "Reading Lamp"],
    Writing: ["Fountain Pen", "Notebook", "Pencil Case", "Ink Bottle", "Ruler"],
    Storage: ["Box File", "Magazine Holder", "Letter Tray", "Archive Box", "Shelf"],
  },
  Home: {
    Bedding: ["Duvet", "Pillow", "Sheet Set", "Throw", "Mattress Topper"],
    Bath: ["Bath Towel", "Bath Mat", "Soap Dish", "Shower Caddy", "Robe"],
    Decor: ["Vase", "Picture Frame", "Candle Holder", "Wall Clock", "Mirror"],
    Cleaning: ["Broom", "Mop", "Dust Pan", "Laundry Basket", "Spray Bottle"],
  },
  Sports: {
    Running: ["Running Belt", "Arm Band", "Reflective Vest", "Water Bottle", "Cap"],
    Cycling: ["Bike Light", "Bike Lock", "Saddle Bag", "Pump", "Bottle Cage"],
    Yoga: ["Yoga Mat", "Yoga Block", "Strap", "Bolster", "Meditation Cushion"],
    Swimming: ["Goggles", "Swim Cap", "Kickboard", "Towel Poncho", "Nose Clip"],
  },
  Kids: {
    Toys: ["Building Blocks", "Puzzle", "Wooden Train", "Spinning Top", "Kite"],
    Books: ["Picture Book", "Sticker Book", "Activity Book", "Atlas", "Story Box"],
    Crafts: ["Crayon Set", "Modelling Clay", "Paint Set", "Craft Scissors", "Bead Kit"],
    Nursery: ["Night Light", "Mobile", "Storage Basket", "Blanket", "Growth Chart"],
  },
  Pets: {
    Dogs: ["Dog Lead", "Dog Bed", "Chew Toy", "Food Bowl", "Harness"],
    Cats: ["Scratching Post", "Cat Bed", "Feather Wand", "Litter Scoop", "Cat Flap"],
    Birds: ["Bird Feeder", "Perch", "Bird Bath", "Seed Mix Tin", "Nest Box"],
    Fish: ["Aquarium Net", "Water Test Kit", "Gravel Vacuum", "Air Pump", "Tank Light"],
  },
  Tools: {
    "Hand Tools": ["Hammer", "Screwdriver Set", "Spirit Level", "Tape Measure", "Utility Knife"],
    "Power Tools": ["Cordless Drill", "Jigsaw", "Sander", "Glue Gun", "Multi-Tool"],
    Fixings: ["Wall Plugs", "Screw Assortment", "Picture Hooks", "Cable Ties", "Wood Glue"],
    Workwear: ["Work Gloves", "Safety Glasses", "Ear Defenders", "Knee Pads", "Tool Belt"],
  },
  Travel: {
    Luggage: ["Carry-On Case", "Duffel Bag", "Suitcase", "Garment Bag", "Luggage Strap"],
    Accessories: ["Passport Wallet", "Travel Adapter", "Neck Pillow", "Packing Cubes", "Luggage Tag"],
    Toiletries: ["Wash Bag", "Travel Bottles", "Toothbrush Case", "Mirror Compact", "Towel Wrap"],
    Electronics: ["Power Bank", "Cable Organizer", "Earbuds Case", "Charger", "Phone Stand"],
  },
};

const adjectives = [
  "Classic",
  "Compact",
  "Pro",
  "Everyday",
  "Travel",
  "Deluxe",
  "Mini",
  "Heritage",
  "Studio",
];
const materials = ["Oak", "Steel", "Cotton", "Bamboo", "Ceramic", "Linen", "Cast Iron", "Copper", "Recycled"];
const qualities = ["durable", "lightweight", "easy to clean", "made to last", "repairable", "stackable"];
const uses = ["daily use", "small spaces", "gifts", "beginners", "professionals", "the whole family"];
// Mostly euros, some dollars and pounds, and yen (no minor unit) so amounts show their decimals.
const currencies = ["EUR", "EUR", "EUR", "EUR", "EUR", "USD", "USD", "GBP", "JPY"];

/** A small seeded generator (mulberry32): the same catalog on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** 60 % of the price, rounded down to the currency's minor unit, as createProduct would accept it. */
function costOf(priceMicros: bigint, currency: string): bigint {
  const minorUnit = 10n ** BigInt(6 - currencyDecimals(currency));
  return ((priceMicros * 6n) / 10n / minorUnit) * minorUnit;
}

export async function createCatalog(productCount: number): Promise<Catalog> {
  mkdirSync("data", { recursive: true });
  const directory = resolve(mkdtempSync("data/bench-"));
  const databaseFile = `${directory}/catalog.db`;
  const databaseUrl = `file:${databaseFile}`;
  // As `npm start` migrates: the project's migration runner, on this file.
  execFileSync(process.execPath, ["scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: databaseUrl });
  const prisma = createPrisma(config);
  const eventBus = createEventBus(config.redis, () => {});
  const writer = { config, prisma, events: eventBus.events, user: null };
  const next = random(20261126);
  const choose = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;

  const leaves: { id: number; nouns: string[]; prefix: string }[] = [];
  for (const [department, subcategories] of Object.entries(departments)) {
    const parent = await createCategory(writer, { name: department });
    for (const [name, nouns] of Object.entries(subcategories)) {
      const category = await createCategory(writer, { name, parentId: parent.id });
      leaves.push({
        id: category.id,
        nouns,
        prefix: name
          .replace(/[^A-Za-z]/g, "")
          .slice(0, 4)
          .toUpperCase(),
      });
    }
  }

  const start = Date.now() - 365 * 86_400_000;
  const rows = Array.from({ length: productCount }, (_, index) => {
    // Some categories are larger than others, as in a real catalog.
    const leaf = leaves[Math.floor(next() ** 1.5 * leaves.length)] ?? leaves[0];
    if (!leaf) throw new Error("no categories");
    const noun = choose(leaf.nouns);
    const name = `${choose(adjectives)} ${choose(materials)} ${noun}`;
    const description = `A ${choose(qualities)} ${noun.toLowerCase()} for ${choose(uses)}, ${choose(qualities)} and ${choose(qualities)}. Sold individually.`;
    const currency = choose(currencies);
    const units = 2 + Math.floor(next() ** 2 * 500);
    const price =
      currency === "JPY" ? `${units * 150}` : `${units}.${choose(["00", "49", "50", "95", "99"])}`;
    const status: ProductStatus = next() < 0.85 ? "ACTIVE" : next() < 0.65 ? "DRAFT" : "ARCHIVED";
    const createdAt = new Date(start + Math.floor((index / productCount) * 365 * 86_400_000));
    return {
      sku: `${leaf.prefix}-${String(index + 1).padStart(6, "0")}`,
      name,
      description,
      searchText: productSearchText(name, description),
      priceMicros: decimalToMicros(price),
      costMicros: costOf(decimalToMicros(price), currency),
      currency,
      stock: next() < 0.1 ? 0 : 1 + Math.floor(next() * 500),
      status,
      categoryId: leaf.id,
      createdAt,
      updatedAt: createdAt,
    };
  });
  for (let offset = 0; offset < rows.length; offset += 1_000) {
    await prisma.product.createMany({ data: rows.slice(offset, offset + 1_000) });
  }

  const staff = { email: "bench-staff@example.test", password: "bench staff pass phrase 2026" };
  await createAccount(writer, { ...staff, name: "Bench staff" }, "STAFF");

  const active = await prisma.product.findMany({
    where: { status: "ACTIVE" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  const categories = await prisma.category.count();
  await prisma.$disconnect();
  await eventBus.close();
  return {
    directory,
    databaseFile,
    staff,
    leafCategoryIds: leaves.map((leaf) => leaf.id),
    activeProductIds: active.map((product) => product.id),
    products: productCount,
    categories,
  };
}
