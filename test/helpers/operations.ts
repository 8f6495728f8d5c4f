// GraphQL operation documents and selections that more than one test file sends. A file that
// tests the exact shape of an answer may still write its own.

/** A selection of every typed mutation error, for `mutation { x(input: …) { ${ERROR_FIELDS} … } }`. */
export const ERROR_FIELDS = `
  __typename
  ... on Error { message code }
  ... on ValidationError { fieldErrors { field message } }
  ... on ConflictError { field }
  ... on NotFoundError { id }
`;

/** Every field of a Product a staff member sees, but the cost price. */
export const PRODUCT_FIELDS = `
  id sku name description stock status createdAt updatedAt
  price { amount currency }
  category { id name }
`;

export const CREATE_PRODUCT = `
  mutation ($input: CreateProductInput!) {
    createProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on CreateProductPayload { product { ${PRODUCT_FIELDS} } }
    }
  }
`;

export const UPDATE_PRODUCT = `
  mutation ($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on UpdateProductPayload { product { ${PRODUCT_FIELDS} } }
    }
  }
`;

export const DELETE_PRODUCT = `
  mutation ($input: DeleteProductInput!) {
    deleteProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on DeleteProductPayload { deletedProductId }
    }
  }
`;

export const ADJUST_STOCK = `
  mutation ($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      ${ERROR_FIELDS}
      ... on InsufficientStockError { available requested }
      ... on AdjustStockPayload { product { id stock } }
    }
  }
`;

export const PRODUCT = `query ($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`;

/** Every field of a Category, with its parent's and children's ids and names. */
export const CATEGORY_FIELDS = "id name slug createdAt updatedAt parent { id name } children { id name }";

export const CREATE_CATEGORY = `
  mutation ($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on CreateCategoryPayload { category { ${CATEGORY_FIELDS} } }
    }
  }
`;

export const UPDATE_CATEGORY = `
  mutation ($input: UpdateCategoryInput!) {
    updateCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on UpdateCategoryPayload { category { ${CATEGORY_FIELDS} } }
    }
  }
`;

export const DELETE_CATEGORY = `
  mutation ($input: DeleteCategoryInput!) {
    deleteCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on DeleteCategoryPayload { deletedCategoryId }
    }
  }
`;

export const CATEGORY = `query ($id: ID!) { category(id: $id) { ${CATEGORY_FIELDS} } }`;
