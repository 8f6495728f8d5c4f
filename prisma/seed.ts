// Seeds a sample catalog: `npm run db:seed`. Idempotent: rows are matched by slug and sku, and
// existing rows are left as they are. With --if-empty (used by `npm start`) it does nothing when
// the database already has products, so a restart never brings back what someone deleted, nor in
// production, whose first start must not fill a real catalog with samples.
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { createCategory } from "../src/services/categories.ts";
import { createEventBus } from "../src/services/events.ts";
import { createProduct } from "../src/services/products.ts";

type SeedCategory = { name: string; slug: string; parent?: string };

const categories: SeedCategory[] = [
  { name: "Kitchen", slug: "kitchen" },
  { name: "Cookware", slug: "cookware", parent: "kitchen" },
  { name: "Knives", slug: "knives", parent: "kitchen" },
  { name: "Coffee & Tea", slug: "coffee-tea" },
  { name: "Outdoor", slug: "outdoor" },
  { name: "Camping", slug: "camping", parent: "outdoor" },
  { name: "Office", slug: "office" },
];

const adjectives = ["Classic", "Compact", "Pro", "Everyday", "Travel", "Deluxe", "Mini"];
const productsByCategory: Record<string, string[]> = {
  cookware: [
    "Frying Pan",
    "Saucepan",
    "Dutch Oven",
    "Wok",
    "Casserole",
    "Grill Pan",
    "Stock Pot",
    "Griddle",
    "Roasting Tray",
  ],
  knives: ["Chef's Knife", "Paring Knife", "Bread Knife", "Santoku", "Knife Block", "Honing Steel"],
  "coffee-tea": [
    "Pour-Over Kettle",
    "French Press",
    "Burr Grinder",
    "Tea Infuser",
    "Espresso Cups",
    "Moka Pot",
    "Cold Brew Jar",
  ],
  camping: [
    "Tent",
    "Sleeping Bag",
    "Camping Stove",
    "Headlamp",
    "Water Filter",
    "Trekking Poles",
    "Camp Chair",
  ],
  outdoor: ["Picnic Blanket", "Cool Box", "Garden Lantern"],
  office: [
    "Desk Lamp",
    "Notebook",
    "Fountain Pen",
    "Monitor Stand",
    "Desk Mat",
    "Cable Organizer",
    "Stapler",
    "Letter Tray",
  ],
  kitchen: [
    "Cutting Board",
    "Apron",
    "Spice Rack",
    "Measuring Cups",
    "Kitchen Scale",
    "Oven Mitts",
    "Timer",
    "Colander",
    "Rolling Pin",
    "Salad Spinner",
  ],
};

const config = loadConfig();
const prisma = createPrisma(config);
// The seed writes through the services like the API, so a server listening on the same Redis
// hears of every row it adds.
const eventBus = createEventBus(config.redis, (error) => console.warn("A change event was lost:", error));
const context = { config, prisma, events: eventBus.events, user: null };

try {
  const ifEmpty = process.argv.includes("--if-empty");
  if (ifEmpty && config.environment === "production") {
    console.log("Seed skipped: NODE_ENV=production (run `npm run db:seed` to add the samples anyway).");
  } else if (ifEmpty && (await prisma.product.count()) > 0) {
    console.log("Seed skipped: the catalog already has products.");
  } else {
    const idBySlug = new Map<string, number>();
    for (const category of categories) {
      const row =
        (await prisma.category.findUnique({ where: { slug: category.slug } })) ??
        (await createCategory(context, {
          name: category.name,
          slug: category.slug,
          parentId: category.parent ? idBySlug.get(category.parent) : null,
        }));
      idBySlug.set(category.slug, row.id);
    }
    let index = 0;
    for (const [slug, names] of Object.entries(productsByCategory)) {
      for (const baseName of names) {
        index += 1;
        const adjective = adjectives[index % adjectives.length] ?? "Classic";
        const sku = `${slug.slice(0, 3).toUpperCase()}-${String(index).padStart(4, "0")}`;
        if (await prisma.product.findUnique({ where: { sku }, select: { id: true } })) continue;
        // Deterministic "random" numbers, so every seeded catalog is the same.
        const cents = 499 + ((index * 7919) % 24_000);
        await createProduct(context, {
          sku,
          name: `${adjective} ${baseName}`,
          description: `A ${adjective.toLowerCase()} ${baseName.toLowerCase()} from our ${slug} range.`,
          price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
          currency: "EUR",
          stock: (index * 13) % 40,
          status: index % 11 === 0 ? "DRAFT" : index % 17 === 0 ? "ARCHIVED" : "ACTIVE",
          categoryId: idBySlug.get(slug),
        });
      }
    }
    console.log(`Seeded ${categories.length} categories and ${index} products.`);
  }
} finally {
  await prisma.$disconnect();
  await eventBus.close();
}
