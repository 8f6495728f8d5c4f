import { MAX_PASSWORD_LENGTH, unknownUserHash, verifyPassword } from "../auth/passwords.ts";
import { AuthenticationError, ConflictError, ValidationError } from "../errors.ts";
import * as accounts from "../services/accounts.ts";
import {
  type AuthPayload as AuthPayloadShape,
  endSession,
  refreshSession,
  startSession,
} from "../services/sessions.ts";
import { builder } from "./builder.ts";
import { checkPageArgs, defaultPageSize } from "./connections.ts";
import { mutationErrors } from "./errors.ts";
import { decodeNodeId } from "./node-ids.ts";

// ---------------------------------------------------------------------------------------------
// Types

export const Role = builder.enumType("Role", {
  values: {
    ADMIN: { description: "Everything, including deleting and changing roles." },
    STAFF: { description: "Manages the catalog: products, categories, stock." },
    CUSTOMER: { description: "Browses the catalog and manages their own account." },
  } as const,
});

// Users are deliberately not Relay nodes: `node(id)` is public and must never hand one out.
export const User = builder.prismaObject("User", {
  description: "An account. Readable by the user themself and by admins.",
  fields: (t) => ({
    id: t.globalID({ resolve: (user) => ({ type: "User", id: user.id }) }),
    email: t.exposeString("email"),
    name: t.exposeString("name"),
    role: t.expose("role", { type: Role }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const AuthPayload = builder.objectRef<AuthPayloadShape>("AuthPayload").implement({
  description:
    "Send accessToken as `Authorization: Bearer <accessToken>`; trade refreshToken for a new pair.",
  fields: (t) => ({
    accessToken: t.exposeString("accessToken"),
    accessTokenExpiresAt: t.expose("accessTokenExpiresAt", { type: "DateTime" }),
    refreshToken: t.exposeString("refreshToken"),
    refreshTokenExpiresAt: t.expose("refreshTokenExpiresAt", { type: "DateTime" }),
    user: t.field({ type: User, resolve: (payload) => payload.user }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Queries

builder.queryFields((t) => ({
  me: t.prismaField({
    type: "User",
    nullable: true,
    description: "The logged-in user; null for an anonymous request.",
    resolve: (query, _root, _args, context) =>
      context.user ? context.prisma.user.findUnique({ ...query, where: { id: context.user.id } }) : null,
  }),
  users: t.prismaConnection(
    {
      type: "User",
      cursor: "id",
      description: "Every account, oldest first.",
      maxSize: checkPageArgs,
      defaultSize: defaultPageSize,
      totalCount: (_connection, _args, context) => context.prisma.user.count(),
      resolve: (query, _root, _args, context) =>
        context.prisma.user.findMany({ ...query, orderBy: { id: "asc" } }),
    },
    { name: "UserConnection" },
    { name: "UserEdge" },
  ),
}));

// ---------------------------------------------------------------------------------------------
// Mutations

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    email: t.string({ required: true }),
    name: t.string({ required: true }),
    password: t.string({ required: true, description: "8 to 1024 characters." }),
  }),
});

const LogInInput = builder.inputType("LogInInput", {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

const RefreshTokenInput = builder.inputType("RefreshTokenInput", {
  fields: (t) => ({ refreshToken: t.string({ required: true }) }),
});

const LogOutInput = builder.inputType("LogOutInput", {
  fields: (t) => ({ refreshToken: t.string({ required: true, description: "The token to revoke." }) }),
});

const ChangePasswordInput = builder.inputType("ChangePasswordInput", {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true }),
  }),
});

const SetUserRoleInput = builder.inputType("SetUserRoleInput", {
  fields: (t) => ({
    userId: t.id({ required: true }),
    role: t.field({ type: Role, required: true }),
  }),
});

const UpdateUserInput = builder.inputType("UpdateUserInput", {
  fields: (t) => ({
    userId: t.id({ required: true, description: "Your own id (from `me`), or any user's for admins." }),
    name: t.string({ required: false }),
    email: t.string({ required: false }),
    currentPassword: t.string({
      required: false,
      description: "Required to change your own email, which is how you log in.",
    }),
  }),
});

const INVALID_CREDENTIALS = "The email or password is not correct";

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description: "Creates a CUSTOMER account and logs it in.",
    errors: { types: [ValidationError, ConflictError], directResult: true },
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await context.rateLimits.consume("authAttempts", `address:${context.clientAddress}`);
      return startSession(context, await accounts.createAccount(context, input, "CUSTOMER"));
    },
  }),
  logIn: t.field({
    type: AuthPayload,
    description: "The same error answers an unknown email and a wrong password, in about the same time.",
    errors: { types: [AuthenticationError], directResult: true },
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const email = input.email.trim().toLowerCase();
      // Brute force is limited per client address (every attempt counts) and per target email
      // (failures count), so neither one address nor many addresses can guess one password.
      await context.rateLimits.consume("authAttempts", `address:${context.clientAddress}`);
      await context.rateLimits.check("authAttempts", `email:${email}`);
      // An over-long password is never hashed. Every failure path still pays for exactly one
      // hash check, so timing does not tell an unknown email from a wrong password.
      const tooLong = input.password.length > MAX_PASSWORD_LENGTH;
      const user = tooLong ? null : await context.prisma.user.findUnique({ where: { email } });
      const valid = await verifyPassword(
        tooLong ? "" : input.password,
        user?.passwordHash ?? (await unknownUserHash()),
      );
      if (!user || !valid) {
        await context.rateLimits.consume("authAttempts", `email:${email}`);
        throw new AuthenticationError(INVALID_CREDENTIALS);
      }
      return startSession(context, user);
    },
  }),
  refreshToken: t.field({
    type: AuthPayload,
    description: "Trades a refresh token for a new pair; the old refresh token stops working.",
    errors: { types: [AuthenticationError], directResult: true },
    args: { input: t.arg({ type: RefreshTokenInput, required: true }) },
    resolve: (_root, { input }, context) => refreshSession(context, input.refreshToken),
  }),
  logOut: t.field({
    type: "Boolean",
    description: "Revokes the refresh token. Always true: an unknown token is as logged out as it gets.",
    args: { input: t.arg({ type: LogOutInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await endSession(context, input.refreshToken);
      return true;
    },
  }),
  changePassword: t.field({
    type: AuthPayload,
    description: "Changes the password, revokes every refresh token of the user, and starts a new session.",
    errors: { types: [ValidationError, AuthenticationError], directResult: true },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      startSession(context, await accounts.changePassword(context, input)),
  }),
  updateUser: t.field({
    type: User,
    description: "Changes the name or email of an account: your own, or any as an admin.",
    errors: { types: [...mutationErrors.types, AuthenticationError], dataField: { name: "user" } },
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_root, { input }, context) =>
      accounts.updateUser(context, decodeNodeId("User", String(input.userId), "userId"), input),
  }),
  setUserRole: t.field({
    type: User,
    errors: { ...mutationErrors, dataField: { name: "user" } },
    args: { input: t.arg({ type: SetUserRoleInput, required: true }) },
    resolve: (_root, { input }, context) =>
      accounts.setUserRole(context, decodeNodeId("User", String(input.userId), "userId"), input.role),
  }),
}));
