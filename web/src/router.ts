import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { hasToken, loadMe, session, type Role } from './api';

declare module 'vue-router' {
  interface RouteMeta {
    /** The one role that may see the route; another role gets the forbidden page in its place. */
    role?: Role;
    /** Open without signing in. */
    public?: boolean;
  }
}

export const HOME: Record<Role, string> = { agency: '/agency', hospital: '/hospital', expert: '/expert' };

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  // Where "home" is depends on the role: the guard sends each user to their own.
  { path: '/', name: 'home', component: () => import('./pages/NotFoundPage.vue') },

  { path: '/agency', name: 'agency-overview', component: () => import('./pages/agency/OverviewPage.vue'), meta: { role: 'agency' } },
  {
    path: '/agency/hospitals',
    name: 'agency-hospitals',
    component: () => import('./pages/agency/HospitalsPage.vue'),
    meta: { role: 'agency' },
  },
  {
    path: '/agency/catalogue',
    name: 'agency-catalogue',
    component: () => import('./pages/agency/CataloguePage.vue'),
    meta: { role: 'agency' },
  },
  { path: '/agency/runs', name: 'agency-runs', component: () => import('./pages/agency/RunsPage.vue'), meta: { role: 'agency' } },
  { path: '/agency/runs/:id', name: 'agency-report', component: () => import('./pages/agency/ReportPage.vue'), meta: { role: 'agency' } },
  {
    path: '/agency/schemes',
    name: 'agency-schemes',
    component: () => import('./pages/schemes/SchemeRunsPage.vue'),
    meta: { role: 'agency' },
  },
  {
    path: '/agency/schemes/:id',
    name: 'agency-scheme-run',
    component: () => import('./pages/schemes/SchemeRunPage.vue'),
    meta: { role: 'agency' },
  },
  {
    path: '/agency/special-cases',
    name: 'agency-special-cases',
    component: () => import('./pages/agency/SpecialCasesPage.vue'),
    meta: { role: 'agency' },
  },

  { path: '/hospital', name: 'hospital-summary', component: () => import('./pages/hospital/SummaryPage.vue'), meta: { role: 'hospital' } },
  {
    path: '/hospital/groups',
    name: 'hospital-groups',
    component: () => import('./pages/hospital/GroupsPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/departments',
    name: 'hospital-departments',
    component: () => import('./pages/hospital/DepartmentsPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/outliers',
    name: 'hospital-outliers',
    component: () => import('./pages/hospital/OutliersPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/projection',
    name: 'hospital-projection',
    component: () => import('./pages/hospital/ProjectionPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/special-cases',
    name: 'hospital-special-cases',
    component: () => import('./pages/hospital/ApplicationsPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/schemes',
    name: 'hospital-schemes',
    component: () => import('./pages/schemes/SchemeRunsPage.vue'),
    meta: { role: 'hospital' },
  },
  {
    path: '/hospital/schemes/:id',
    name: 'hospital-scheme-run',
    component: () => import('./pages/schemes/SchemeRunPage.vue'),
    meta: { role: 'hospital' },
  },

  { path: '/expert', name: 'expert-assignments', component: () => import('./pages/expert/AssignmentsPage.vue'), meta: { role: 'expert' } },
  { path: '/expert/review/:id', name: 'expert-review', component: () => import('./pages/expert/ReviewPage.vue'), meta: { role: 'expert' } },
  { path: '/expert/history', name: 'expert-history', component: () => import('./pages/expert/HistoryPage.vue'), meta: { role: 'expert' } },

  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { public: true } },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  // Who is signed in is asked once per page load (the tokens outlive a reload in sessionStorage).
  if (!session.user && hasToken()) {
    try {
      await loadMe();
    } catch {
      // The session is over (the API's 401 handling has cleared it) or the API is down.
    }
  }
  const user = session.user;
  if (to.name === 'login') return user ? HOME[user.role] : true;
  if (to.meta.public) return true;
  if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (to.name === 'home') return HOME[user.role];
  // A route of another role stays at its address and shows the forbidden page (App.vue).
  return true;
});
